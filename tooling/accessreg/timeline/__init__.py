"""Dates: today in Japan, the reception centre's business days, months and years."""
