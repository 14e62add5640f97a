"""Notification mails: composed from Jinja2 templates into RFC 5322 messages, delivered over
SMTP once each through an outbox. Only this package imports jinja2, email and smtplib."""
