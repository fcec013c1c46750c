"""Deadline use cases, one package: the policy and calendar in force (``policies``) and their
administration (``policy_admin``, ``calendar_recompute``), a case's timer after each action
(``case_timers``), supporting departments' timers (``department_timers``, ``department_firing``)
and the sweep that fires what is due (``sweep``).
"""
