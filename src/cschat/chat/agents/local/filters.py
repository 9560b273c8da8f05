"""Filters (category, priority, channel, agent, team) matched against the data's own values.

Matching ignores case, accents and plurals, tolerates small typos (difflib) and goes through a
configurable synonym map so "facturación" finds "Billing". A synonym only applies when its target is
one of the known values, so the agent never filters on a value the data does not have.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType

from cschat.chat.agents.local.text import fold, key, stem

DIMENSIONS = ("category", "priority", "channel", "team", "agent")

DEFAULT_SYNONYMS: Mapping[str, Mapping[str, Sequence[str]]] = MappingProxyType({
    "category": {
        "Billing": ("facturacion", "factura", "cobro", "pago", "cargo", "invoice", "payment"),
        "Technical": ("tecnico", "tecnica", "soporte tecnico", "tech", "technical issue"),
        "Account Access": ("acceso", "acceso a la cuenta", "inicio de sesion", "login",
                           "contrasena", "password", "access"),
        "Shipping": ("envio", "entrega", "delivery", "shipment"),
        "Refunds": ("reembolso", "devolucion", "refund"),
        "Product Question": ("pregunta de producto", "consulta de producto", "producto", "product"),
        # The reference export's categories: each applies only where the data has it, and a
        # longer phrase wins ("problema de pago" is Payment Issue there, Billing elsewhere).
        "Refund Request": ("solicitud de reembolso", "peticion de reembolso", "refund request"),
        "Payment Issue": ("problema de pago", "incidencia de pago", "payment problem"),
        "Technical Issue": ("problema tecnico", "incidencia tecnica", "technical problem"),
        "Booking Modification": ("modificacion de reserva", "cambio de reserva", "booking change"),
        "Cancellation Request": ("solicitud de cancelacion", "peticion de cancelacion"),
        "General Inquiry": ("consulta general", "pregunta general", "general question"),
        "Property Question": ("pregunta sobre la propiedad", "consulta sobre la propiedad"),
        "Cancellation": ("cancelacion", "cancelado", "cancelada", "darse de baja", "cancel",
                         "cancelled", "canceled"),
    },
    "priority": {
        # "Crítica" is Critical where the data has both (the reference export), else Urgent.
        "Critical": ("critico", "critica", "prioridad critica"),
        "Urgent": ("urgente", "critico", "critica", "critical"),
        "High": ("prioridad alta", "alta prioridad", "high priority"),
        "Medium": ("prioridad media", "media prioridad", "medium priority"),
        "Low": ("prioridad baja", "baja prioridad", "low priority"),
    },
    "channel": {
        "Email": ("correo", "correo electronico", "e-mail", "mail"),
        "Phone": ("telefono", "llamada", "telefonico", "telefonica", "call"),
        "Web": ("formulario web", "pagina web", "website", "web form", "formulario", "sitio web",
                "contact form"),
        "Social": ("redes sociales", "red social", "social media", "twitter", "instagram"),
        "Chat": ("chat en vivo", "live chat"),
        "Self-Service": ("autoservicio", "self service", "portal de autoservicio"),
    },
})  # fmt: skip

# Words of the questions themselves: never fuzzy-matched to a value ("resolved" is not "Refunds").
# The value of a filter that is everyone's: "my CSAT vs the team" compares the agent's figure with
# the whole team's, a call without that filter.
EVERYONE = "*"
NOT_VALUES = frozenset(
    key(w)
    for w in """ticket tickets resueltos resolved cerrados closed creados created recibidos abiertos
    opened cuantos cuantas how many semana week mes month year trimestre quarter categoria category
    prioridad priority canal channel agente agent equipo team estado status media median mediana
    average promedio tiempo time resolucion resolution respuesta response primera first total
    tendencia trend compara compare comparado compared desglose breakdown between entre desde since
    ultimos last pasado pasada anterior previous this esta este hoy today ayer yesterday dias days
    semanas weeks meses months tickets which cual cuales show muestra muestrame mostrar dame give
    what que para sobre about similar similares parecidos solved resolvieron cliente customer
    durante during hours horas minutos minutes satisfaction satisfaccion percentil
    percentile evolucion evoluciona evolucionan evoluciono evolucionado evolucionar evolucionando
    evolution evolve evolved
    evolving mensual semanal diario diaria monthly weekly daily estadisticas
    statistics desglose ranking compared comparar versus frente semana pasada anterior resolver
    resolve recibimos received respuesta respond solucionaron solucionados problemas
    problem""".split()  # noqa: SIM905
)


@dataclass(frozen=True, slots=True)
class FilterMatch:
    """One filter found in the question: the stored value and where it was written."""

    dimension: str
    value: str
    span: tuple[int, int]


@dataclass(frozen=True)
class Vocabulary:
    """The values the data holds per dimension, extra names for them, and the synonym map.

    `aliases` maps a dimension to `{phrase: stored value}`, e.g. agents stored by email and known
    by name (`{"Lucía Fernández": "lucia.fernandez@demo.cschat.dev"}`).
    """

    values: Mapping[str, Sequence[str]]
    aliases: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    synonyms: Mapping[str, Mapping[str, Sequence[str]]] = field(
        default_factory=lambda: DEFAULT_SYNONYMS
    )

    @cached_property
    def words(self) -> frozenset[str]:
        """Every (stemmed) word of a value, alias or synonym: none is a slipped key word."""
        return frozenset(word for phrase in self.index for word in phrase)

    @cached_property
    def index(self) -> dict[tuple[str, ...], tuple[str, str]]:
        """Phrase keys (stemmed word tuples) to (dimension, stored value); first phrase wins."""
        out: dict[tuple[str, ...], tuple[str, str]] = {}

        def add(phrase: str, dimension: str, value: str) -> None:
            words = tuple(key(phrase).split())
            if words:
                out.setdefault(words, (dimension, value))

        for dimension in DIMENSIONS:
            for value in self.values.get(dimension, ()):
                add(value, dimension, value)
                add(value.replace("-", " "), dimension, value)  # "self service"
                if dimension == "agent" and "@" in value:
                    local = value.split("@")[0]
                    add(local, dimension, value)
                    add(local.replace(".", " "), dimension, value)
                if dimension == "team":
                    self._add_team_names(add, value)
            for phrase, value in self.aliases.get(dimension, {}).items():
                add(phrase, dimension, value)
        for dimension in DIMENSIONS:
            stored = {key(v): v for v in self.values.get(dimension, ())}
            for target, phrases in self.synonyms.get(dimension, {}).items():
                if key(target) in stored:
                    for phrase in phrases:
                        add(phrase, dimension, stored[key(target)])
        self._add_agent_names(add)
        return out

    @cached_property
    def team_names(self) -> dict[str, str]:
        """One-word team names without the team word ("norte" of "Equipo Norte", "alpha" of
        "Team_Alpha") to the team: read only where the question names teams (`bare_teams`)."""
        out: dict[str, str] = {}
        for value in self.values.get("team", ()):
            first, _, name = key(value).partition(" ")
            if first in TEAM_WORDS and name and " " not in name:
                out.setdefault(name, value)
        return out

    @cached_property
    def agent_names(self) -> frozenset[str]:
        """The folded first and last words of every agent's name: none is an unknown name."""
        return frozenset(
            word
            for alias in self.aliases.get("agent", {})
            if (words := fold(alias).split())
            for word in (words[0], words[-1])
        )

    @cached_property
    def longest(self) -> int:
        """The most words a phrase of `index` has."""
        return max((len(k) for k in self.index), default=0)

    @cached_property
    def _singles(self) -> dict[str, tuple[str, str]]:
        # The one-word phrases long enough to be matched with a typo.
        return {k[0]: v for k, v in self.index.items() if len(k) == 1 and len(k[0]) >= 5}

    @cached_property
    def _close(self) -> dict[str, tuple[str, str] | None]:
        return {}

    def close_to(self, token: str) -> tuple[str, str] | None:
        """The (dimension, value) of the one-word phrase `token` is a typo of, if any. Kept per
        token: difflib over every value took a third of the time to understand a question."""
        if token in self._close:
            return self._close[token]
        close = difflib.get_close_matches(token, list(self._singles), n=1, cutoff=0.84)
        found = self._singles[close[0]] if close else None
        if len(self._close) < _CLOSE_KEPT:
            self._close[token] = found
        return found

    @staticmethod
    def _add_team_names(add: Callable[[str, str, str], None], value: str) -> None:
        # "Team_Alpha" is also "equipo Alpha" and "Alpha team"; "Equipo Norte", "team Norte". Not
        # "Alpha" or "Norte" alone: "región norte" is no team.
        first, _, name = key(value).partition(" ")
        if first in TEAM_WORDS and name:
            for word in TEAM_WORDS:
                add(f"{word} {name}", "team", value)
            add(f"{name} team", "team", value)

    def _add_agent_names(self, add: Callable[[str, str, str], None]) -> None:
        # A first or last name alone ("Lucía", "Ruiz") is enough when exactly one agent has it.
        names: dict[str, list[str]] = {}
        for phrase, value in self.aliases.get("agent", {}).items():
            words = key(phrase).split(" ")
            for name in {words[0], words[-1]} if len(words) > 1 else {words[0]}:
                if name and value not in names.setdefault(name, []):
                    names[name].append(value)
        for name, values in names.items():
            if len(values) == 1:
                add(name, "agent", values[0])
        # Agents stored by number ("Agent_003") are also "agent 3", "agente 3".
        for value in self.values.get("agent", ()):
            if number := _AGENT_NUMBER.fullmatch(value):
                for word in ("agent", "agente"):
                    add(f"{word} {int(number[1])}", "agent", value)


# The words for a team, before or after its name ("equipo Norte", "Alpha team").
TEAM_WORDS = ("team", "equipo")
_AGENT_NUMBER = re.compile(r"(?i)agent[_ -]?0*(\d+)")
_TOKEN = re.compile(r"[a-z0-9]+(?:[-.@][a-z0-9]+)*")
# Typo lookups kept per vocabulary (it is rebuilt when the data's values change).
_CLOSE_KEPT = 20_000


def in_dimension_order(pairs: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """Filter pairs by dimension, values of one dimension in the order they were written."""
    return tuple(sorted(pairs, key=lambda pair: DIMENSIONS.index(pair[0])))


def find_filters(
    folded: str, vocabulary: Vocabulary, *, skip: Sequence[tuple[int, int]] = ()
) -> list[FilterMatch]:
    """Filters in the folded question, longest phrase first; "billing and shipping" gives both."""
    index = vocabulary.index
    tokens = [
        (stem(m[0]), m.span())
        for m in _TOKEN.finditer(folded)
        if not any(a <= m.start() < b for a, b in skip)
    ]
    taken: set[int] = set()
    found: dict[tuple[str, str], FilterMatch] = {}
    for n in range(vocabulary.longest, 0, -1):
        for i in range(len(tokens) - n + 1):
            if taken.intersection(range(i, i + n)):
                continue
            hit = index.get(tuple(t for t, _ in tokens[i : i + n]))
            if hit and hit not in found:
                found[hit] = FilterMatch(*hit, (tokens[i][1][0], tokens[i + n - 1][1][1]))
                taken.update(range(i, i + n))
    _fuzzy(tokens, taken, vocabulary, found)
    return sorted(found.values(), key=lambda f: f.span)


def bare_teams(
    folded: str, vocabulary: Vocabulary, *, skip: Sequence[tuple[int, int]] = ()
) -> list[FilterMatch]:
    """Team names written without the team word, for a question that names teams: "¿qué equipo
    tiene mejor CSAT, Norte o Sur?" (it ranked every team and answered Enterprise). Elsewhere a
    bare "norte" is no team ("región norte")."""
    names = vocabulary.team_names
    return [
        FilterMatch("team", names[stem(m[0])], m.span())
        for m in _TOKEN.finditer(folded)
        if stem(m[0]) in names and not any(a <= m.start() < b for a, b in skip)
    ]


def _fuzzy(
    tokens: list[tuple[str, tuple[int, int]]],
    taken: set[int],
    vocabulary: Vocabulary,
    found: dict[tuple[str, str], FilterMatch],
) -> None:
    """Typos ("facturacoin", "Techincal"): close single words only, long enough to be safe."""
    for i, (token, span) in enumerate(tokens):
        if i in taken or len(token) < 5 or token in NOT_VALUES or token.isdigit():
            continue
        close = vocabulary.close_to(token)
        if close and close not in found:
            found[close] = FilterMatch(*close, span)
            taken.add(i)
