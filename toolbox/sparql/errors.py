"""The SPARQL endpoint's errors: one base with an HTTP status, the message in Dutch for people."""

from __future__ import annotations


class QueryError(ValueError):
    """A query that is refused or cannot be parsed; the message says why (in Dutch)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


class NotAcceptable(QueryError):
    def __init__(self, message: str):
        super().__init__(message, status=406)


class QueryTimeout(QueryError):
    def __init__(self, seconds: float, finishing: bool = False):
        """finishing: the answer is still being computed after this request's limit, for the next one."""
        if finishing:
            super().__init__(
                f"De query duurde langer dan {seconds:g} seconden (wachttijd, gemeten op de klok), de tijdslimiet "
                "van een verzoek. Het antwoord wordt op de achtergrond nog afgemaakt: vraag dezelfde query over "
                "een halve minuut opnieuw.", status=504,
            )
            return
        super().__init__(
            f"De query duurde langer dan {seconds:g} seconden (wachttijd, gemeten op de klok) en is afgebroken "
            "(tijdslimiet). Maak de query specifieker, "
            "bijvoorbeeld met LIMIT of met meer vaste waarden.", status=504,
        )


class Busy(QueryError):
    def __init__(self):
        super().__init__("Het SPARQL-endpoint is op dit moment te druk. Probeer het over enkele seconden opnieuw.",
                         status=503)


class WorkerLost(QueryError):
    def __init__(self):
        super().__init__("De SPARQL-werker stopte onverwacht (mogelijk te weinig geheugen).", status=500)
