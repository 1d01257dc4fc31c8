"""The exercise in the browser: the games a server holds (``games``) and its pages."""
