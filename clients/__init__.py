"""Typed clients generated for integrators (see docs/API.md, "Typed client for integrators")."""
