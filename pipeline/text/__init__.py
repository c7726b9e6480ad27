"""Text helpers shared by the stages (pure functions): Unicode clean-up and matching keys
(:mod:`.normalize`), sentences (:mod:`.sentences`), numbers (:mod:`.numbers`), script detection
(:mod:`.script`)."""
