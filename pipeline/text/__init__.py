"""Text helpers shared by the stages: Unicode clean-up and matching keys (:mod:`.normalize`), sentences
(:mod:`.sentences`)."""
