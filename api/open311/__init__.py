"""Open311 GeoReport v2 (issue 13) beside GraphQL, on the same services underneath."""
