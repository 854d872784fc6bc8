-- An event can happen in several places: the People's Defense Forces' fighting was in Sagaing and in Magwe,
-- and with one `place_id` per event it had to be in neither, so `/timeline region:Sagaing` left it out.
-- Each (event, place) link carries the event's date (kept by triggers, whoever writes), so a region's
-- events come over in date order from the index, as an actor's do (migration 0004).

CREATE TABLE event_places (
    event_id INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    place_id INTEGER NOT NULL REFERENCES places (id) ON DELETE CASCADE,
    date TEXT,
    PRIMARY KEY (event_id, place_id)
);
CREATE INDEX event_places_place ON event_places (place_id, date, event_id);

INSERT INTO event_places (event_id, place_id, date)
    SELECT id, place_id, date FROM events WHERE place_id IS NOT NULL;

CREATE TRIGGER event_places_ai AFTER INSERT ON event_places BEGIN
    UPDATE event_places SET date = (SELECT e.date FROM events e WHERE e.id = new.event_id)
        WHERE event_id = new.event_id AND place_id = new.place_id;
END;

CREATE TRIGGER events_places_au AFTER UPDATE OF date ON events BEGIN
    UPDATE event_places SET date = new.date WHERE event_id = new.id;
END;

-- The old column is left empty rather than dropped (SQLite cannot drop a column a foreign key names), so
-- that nothing can read a stale single place by mistake.
DROP INDEX events_place;
UPDATE events SET place_id = NULL WHERE place_id IS NOT NULL;
