"""Evaluation tools, not a pipeline stage: metrics (:mod:`.metrics`), gold sets (:mod:`.gold`), threshold
calibration (:mod:`.calibrate`) and the ``make eval`` suite (:mod:`.suite`)."""
