"""The bottom layer: vocabulary, interface texts, structured messages and file writing.

Every other package (``geo``, ``optimizer``, ``planning``, ``maps``, the app) may import
``core``; ``core`` imports none of them.
"""
