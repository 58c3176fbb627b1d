"""From parameters and validated inputs to a published edition: execute, render, publish."""
