"""The check-your-understanding quiz every lesson ends with: :mod:`.model` (the questions and
the feedback) and :mod:`.view` (radio buttons, Check and Reveal). No imports here."""
