"""The one exception type users see: it names the file and the problem, and the CLI prints it as one line."""


class PipelineError(Exception):
    """A problem with the user's input or settings (not a bug).

    ``path`` is the file or folder concerned (may be None for settings errors); ``problem`` says what is wrong.
    """

    def __init__(self, path, problem: str):
        self.path = None if path is None else str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}" if self.path else problem)
