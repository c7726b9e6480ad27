"""Where the heavy stages run: ``embedded`` (this process, the default) or ``ray`` (an actor pool on a Ray
cluster, :mod:`.ray_engine`; optional extra ``[distributed]``). Both call the same stage code
(:mod:`.batches`); nothing here imports Ray unless the Ray engine is chosen."""

ENGINES = ("embedded", "ray")
