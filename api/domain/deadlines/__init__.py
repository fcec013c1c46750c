"""Deadlines (时限), one package: the versioned time policy, the working calendar (工作时,
holidays and 调休), a case's and a department's timers and the steps they fire.

Not the time source: that is ``api.domain.clock`` (``Clock``, injected; tests travel in time).
"""
