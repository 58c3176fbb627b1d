"""The analyses of an edition: pure functions on validated frames, each unit-tested."""
