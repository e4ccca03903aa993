"""Files attached to a need (drawings, specifications, test reports), limited in size and type."""
