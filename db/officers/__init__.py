"""Tables and query functions of the ward officers' workspace, a module per group of tables:

    roster.py      officers and their wards, one-time invite codes, revoking
    households.py  the wards' household lists and their category changes
    visits.py      the visit log and the officers' reminders
    queue.py       which shared self-assessments an officer has dealt with
    reports.py     the wards' figures (aggregate SQL)

Ward scope: every function that reads or changes households takes `wards`, the wards the caller
may see (`None` = every ward, for admins), so an officer of ward A never reaches ward B's rows.
Functions take the event's session and do not commit. Every change by a person writes an audit
row (`db.users.audit`) in the same transaction.
"""
