"""Typical student mistakes per assignment, used by the grading round trip.

Each module ``NN_topic.py`` defines ``MISTAKES = {name: {grade_id: new cell source}}``: the
solution notebook with those cells replaced must score less than full marks.
"""
