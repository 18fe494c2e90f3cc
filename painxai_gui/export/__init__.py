"""Export: colour policy, figure panels (PNG/PDF/SVG) with a reproducibility record, raw heatmaps."""
