"""Frozen read records: what the store returns and every layer above it speaks.

A record is the domain state of one aggregate's item plus the display fields a reader needs
and the ``version`` it was read at (for the optimistic lock of the next change). Records are
plain frozen dataclasses over domain types (``api.domain``): no PynamoDB, no GraphQL. The store
builds them (its codecs turn items into records and back); services take and return them;
GraphQL types are built from them. One module per aggregate.
"""
