"""Questionnaires: versions, questions, publishing, and per training which questionnaires apply."""
