"""The rules of the branch's work: who may do what, state changes, validation.

Nothing in this package imports telegram; handlers call it and render its results.
"""
