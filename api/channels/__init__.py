"""Delivery channels: thin adapters behind one interface (``api.channels.base``).

Each adapter speaks one provider's documented HTTP shape with a timeout, classifies every answer
as sent, transient (retry) or final (recorded, never retried), and knows nothing of DynamoDB.
"""
