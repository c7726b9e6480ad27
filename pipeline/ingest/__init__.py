"""Ingest stage: raw documents (:mod:`.documents`, :mod:`.corpus`) → clean, de-duplicated paragraphs
(:mod:`.stage`), page furniture removed by visible rules (:mod:`.furniture`), duplicates by :mod:`.dedup`."""
