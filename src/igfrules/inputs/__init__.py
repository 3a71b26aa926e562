"""Reading what a user gives: case files (YAML or JSON), read safely and strictly, into a PatientProfile.

May import the profile, fields, vocabulary and errors; never the engine or the renderers.
"""
