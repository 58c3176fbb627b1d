"""Disclosure control: the one step between raw analyses and anything published.

:func:`plan` turns an edition's validated inputs into a :class:`~kansrijk.publication.Publication`
(primary and secondary suppression across the whole edition); :mod:`~kansrijk.disclosure.ledger`
records every number the book shows and :func:`~kansrijk.disclosure.ledger.audit` refuses to
publish when a suppressed value could be recovered from them.
"""
