"""Moderators' writes: facts, actors, places, events and whole packs, every change on record."""
