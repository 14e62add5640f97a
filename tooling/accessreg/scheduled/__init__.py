"""Duties that fall due with time rather than with a pull request (issue: scheduled governance).

Each duty is a pure function of the registry, a day and its inputs that returns an
``Outcome``: the notices due (each item keyed, so that it is sent once however often the job
runs) and the tables written as CSV. Delivery and state live elsewhere.
"""
