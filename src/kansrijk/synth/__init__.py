"""Synthetic editions: district facts from CBS, a latent-strain model of risk factors, calibration."""
