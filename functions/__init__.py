"""Lambda entry points. Lambda imports this package before the handler module.

The garbage collector is off while the handlers import: importing Strawberry, botocore and the
schema allocates ~90 000 long-lived objects and triggers ~270 collections that find almost
nothing (0.1-0.2 s of a cold start here). Each handler module turns it back on at the end of
its init, after freezing what init built (api/warm.py: ``freeze_heap``).
"""

import gc

gc.disable()
