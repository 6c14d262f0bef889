"""The main job: a full local cutover rehearsal (``python -m verification rehearse``)."""
