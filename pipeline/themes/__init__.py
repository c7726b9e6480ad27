"""The theme layer: links between paragraphs of *different* stories that take up the same specific subject
(vote-counting devices, memory sticks carrying results, appeals against results), and the themes
themselves as named objects.

    terms (key words and two-word phrases of each paragraph, both languages)
      → salience (rare in general language, and specific within the run)
      → bridge (Arabic term ~ English term: the dictionary, the encoder's phrase vectors, MT)
      → features (salience-weighted overlap of matched terms per paragraph pair) → calibrated model
      → themes (the matched terms of the links grouped into named themes) → ``themes.jsonl``

Part of the align stage (:func:`pipeline.align.align.align_segments` calls :func:`link_themes`), in a
package of its own so the relations the aligner knows (translation, same story) stay apart from this one.
"""
