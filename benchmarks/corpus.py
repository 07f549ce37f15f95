"""A deterministic corpus of news articles for the benchmarks, in three site layouts.

Nothing is downloaded: every article is assembled from sentence templates and word
lists by one seeded ``random.Random``, so the same ``n`` and seed always give the same
files, byte for byte, on every machine. The articles read like wire copy: a lead
paragraph, several paragraphs of two or three sentences with names, places,
organisations, figures and quotes with attributions, and now and then a ``## Subhead``;
about 600 words each.

A fifth of the articles are copies of others, made the way outlets republish wire
stories: another outlet, the text truncated to 50–90% of its words, a new headline,
one or two spelling edits, published a little later. The other four fifths are
distinct stories, so a build of ``n`` articles should make about ``0.8 n`` stories.

The same articles are written in three layouts:

* ``digest``: ``content/*.md`` with YAML front matter (title, date, source, url, tags);
* ``hugo``: ``content/posts/*.md`` with YAML front matter, a minimal ``hugo.toml`` and a
  minimal ``layouts/`` folder (home page, one page per article, list pages for the
  section, tags and outlets, RSS from Hugo's built-in template); no theme;
* ``pelican``: ``content/*.md`` with Pelican's ``Key: value`` metadata header and a
  minimal ``pelicanconf.py`` (Pelican's default theme).

Usage: ``python benchmarks/corpus.py N OUT_DIR [--layout digest|hugo|pelican] [--seed S]``.

>>> docs = generate(10)
>>> len(docs), sum(d.copy_of is not None for d in docs)
(10, 2)
>>> 450 < docs[0].word_count < 800
True
>>> generate(10)[7] == docs[7]
True
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final, Literal

Layout = Literal["digest", "hugo", "pelican"]
LAYOUTS: Final[tuple[Layout, ...]] = ("digest", "hugo", "pelican")

DEFAULT_SEED: Final = 20250714
COPY_SHARE: Final = 0.2
WORDS_PER_ARTICLE: Final = 600
# The articles are spread over the 30 days before this moment; copies follow within a day.
CORPUS_END: Final = datetime(2025, 7, 14, tzinfo=UTC)
CORPUS_DAYS: Final = 30
# A SOURCE_DATE_EPOCH after every article of the corpus (2025-07-15T00:00:00Z).
BUILD_EPOCH: Final = 1752537600


def _words(text: str) -> tuple[str, ...]:
    """The ``|``-separated items of ``text``, each with its whitespace runs made one space."""
    return tuple(" ".join(item.split()) for item in text.split("|") if item.strip())


@dataclass(frozen=True, slots=True)
class _Ref:
    """A reference to a rule of the grammar, ``<name>`` in a template."""

    name: str


# A template compiled: literal text, choices of wordings, and references to rules.
Template = tuple[str | tuple[str, ...] | _Ref, ...]
_PART = re.compile(r"\[([^\]]*)\]|<(\w+)>")


def _templates(text: str) -> tuple[Template, ...]:
    """The ``|``-separated options of ``text`` (an empty one too), compiled.

    >>> _templates("It [rained/poured] on {place} <when>. | ")
    (('It ', ('rained', 'poured'), ' on {place} ', _Ref(name='when'), '.'), ())
    """
    compiled = []
    for option in text.split("|"):
        item = " ".join(option.split())
        parts: list[str | tuple[str, ...] | _Ref] = []
        pos = 0
        for match in _PART.finditer(item):
            if match.start() > pos:
                parts.append(item[pos : match.start()])
            if match.group(2):
                parts.append(_Ref(match.group(2)))
            else:
                parts.append(tuple(choice.strip() for choice in match.group(1).split("/")))
            pos = match.end()
        if pos < len(item):
            parts.append(item[pos:])
        compiled.append(tuple(parts))
    return tuple(compiled)


OUTLETS: Final = _words(
    """Harbour Gazette | Northern Wire | Midland Courier | Lakeside Observer |
    Southern Cross Wire | Capital Ledger | Valley Herald | Coastal Times | Metro Dispatch |
    Riverside Post | Highland Chronicle | Eastern Star | Western Record | Daily Sentinel |
    Evening Standard-Bearer | Morning Tribune | The Continental | Global Newsline |
    Pacific Monitor | Atlantic Bulletin | Union Press Agency | City Reporter |
    Frontier Journal | Bay Area Clarion | Plains Register | Island Echo | Summit Review |
    National Inquirer Wire | The Weekly Compass | Delta Times | Granite State Mirror |
    Old Town Crier | Meridian News | Crossroads Daily | Lighthouse Press |
    The Civic Voice | Tidewater Telegraph | Orchard County News | Northern Lights Post |
    Prairie Wire Service"""
)

TOPICS: Final = _words(
    """politics | economy | labour | health | climate | energy | transport | technology |
    science | education | crime | courts | business | markets | agriculture | housing |
    sport | culture | defence | diplomacy"""
)

FIRST_NAMES: Final = _words(
    """Denise | Martin | Amara | Tomasz | Priya | Jonah | Lucia | Kwame | Ingrid | Rafael |
    Mei | Oluwaseun | Hannah | Diego | Fatima | Stefan | Aisha | Connor | Yuki | Mateo |
    Nadia | Samuel | Chiara | Ibrahim | Elena | Patrick | Sofia | Hamid | Grace | Viktor |
    Leila | Andrew | Marta | Joseph | Anjali | Felix | Rosa | Emeka | Claire | Luis |
    Sione | Beatriz | Henrik | Zainab | Oscar | Ruth | Dmitri | Imogen | Kofi | Paula"""
)

SURNAMES: Final = _words(
    """Halloran | Velasco | Okafor | Nowak | Raman | Whitfield | Moreno | Mensah | Lindqvist |
    Castillo | Chen | Adeyemi | Brennan | Alvarez | Haddad | Kowalski | Rahman | Doyle |
    Tanaka | Ferreira | Petrov | Osei | Rossi | Karimi | Novak | Gallagher | Lopes |
    Nakamura | Mbeki | Schneider | Duarte | Farouk | Sutherland | Ivanova | Achebe |
    Lindgren | Obi | Marchetti | Quinn | Sandoval | Bakker | Yilmaz | Hughes | Fontaine |
    Mwangi | Larsen | Pereira | Zhou | Keane | Abara | Moretti | Hassan | Sokolova |
    Delgado | Ward | Ekwueme | Jansen | Takahashi | Costa | Brandt"""
)

# Places with their country; the first word of a place also names local bodies.
PLACES: Final = tuple(
    tuple(pair.split("/"))
    for pair in _words(
        """Brackenport/Aldmoor | Thessaly/Greece | Valmont/France | Kestrel Bay/Aldmoor |
        Rotterdam/the Netherlands | Gdansk/Poland | Mombasa/Kenya | Lagos/Nigeria |
        Porto/Portugal | Busan/South Korea | Antofagasta/Chile | Durban/South Africa |
        Halifax/Canada | Valparaiso/Chile | Tromso/Norway | Cork/Ireland | Genoa/Italy |
        Izmir/Turkey | Surabaya/Indonesia | Chittagong/Bangladesh | Fremantle/Australia |
        Aberdeen/Scotland | Bilbao/Spain | Tallinn/Estonia | Accra/Ghana | Osaka/Japan |
        Cebu/the Philippines | Callao/Peru | Odesa/Ukraine | Gothenburg/Sweden |
        Marseille/France | Leipzig/Germany | Brno/the Czech Republic | Cluj/Romania |
        Kraków/Poland | Seville/Spain | Bergen/Norway | Tampere/Finland | Aarhus/Denmark |
        Ghent/Belgium | Salzburg/Austria | Basel/Switzerland | Lyon/France |
        Manchester/England | Cardiff/Wales | Belfast/Northern Ireland | Auckland/New Zealand |
        Hobart/Australia | Winnipeg/Canada | Recife/Brazil | Cordoba/Argentina |
        Medellin/Colombia | Arequipa/Peru | Kumasi/Ghana | Arusha/Tanzania | Kigali/Rwanda |
        Pune/India | Kochi/India | Penang/Malaysia | Da Nang/Vietnam"""
    )
)

# Per topic: events, what is at stake, kinds of organisation, roles, headline templates.
_TOPIC_WORDS: Final[dict[str, tuple[str, str, str, str, str]]] = {
    "politics": (
        "a snap election | a confidence vote | a cabinet reshuffle | a budget stand-off | a coalition split",
        "the new electoral map | the spending plan | the party's leadership rules | a proposed tax on second homes",
        "Democratic Alliance | People's Party | Electoral Commission | Regional Assembly",
        "party leader | chief whip | deputy speaker | campaign director",
        "{Place} braces for {event} as {org} splits | {Org} calls {event} over {subject} | Leaders in {place} face {event}",
    ),
    "economy": (
        "a surprise rise in inflation | a slowdown in factory output | a jump in unemployment | a cut in interest rates",
        "the cost of living | consumer spending | the public debt | the central bank's inflation target",
        "Central Bank | Statistics Office | Finance Ministry | Chamber of Commerce",
        "chief economist | finance minister | governor | senior analyst",
        "{Place} reports {event} | {Org} warns of {event} | Figures show {event} in {country}",
    ),
    "labour": (
        "a 48-hour strike | a walkout over pay | a work-to-rule protest | a ballot on industrial action",
        "new shift patterns | the pay offer | pension changes | rest periods between shifts",
        "Workers' Union | Transport Workers' Federation | Harbour Holdings | Employers' Association",
        "regional secretary | general secretary | operations director | chief negotiator",
        "{Org} members begin {event} in {place} | Talks fail as {event} looms in {place} | Workers in {place} back {event}",
    ),
    "health": (
        "a measles outbreak | a shortage of nurses | record waiting lists | a new vaccination drive",
        "emergency department waiting times | the hospital building programme | access to rural clinics | drug prices",
        "Health Authority | University Hospital | Medical Association | Public Health Institute",
        "chief medical officer | health minister | hospital director | epidemiologist",
        "{Place} hospitals strained by {event} | {Org} sounds alarm over {event} | {event_cap} hits {place}",
    ),
    "climate": (
        "a record heatwave | severe flooding | a prolonged drought | wildfires on the coast",
        "the emissions target | coastal defences | the climate adaptation fund | water rationing",
        "Environment Agency | Climate Council | Meteorological Office | Green Coalition",
        "climate scientist | environment minister | chief forecaster | campaign coordinator",
        "{event_cap} grips {place} | {Org} links {event} to warming | {Place} counts the cost of {event}",
    ),
    "energy": (
        "a nationwide blackout | a spike in gas prices | the closure of a coal plant | a new offshore wind auction",
        "household energy bills | grid capacity | the nuclear programme | subsidies for solar panels",
        "Grid Operator | Energy Regulator | Power Company | Renewables Association",
        "energy minister | chief executive | grid controller | industry analyst",
        "{Place} hit by {event} | {Org} defends plan after {event} | {event_cap} raises questions over {subject}",
    ),
    "transport": (
        "a trial of battery trains | the closure of a rail line | chaos at the airport | a fare increase",
        "the new rail timetable | road maintenance funding | the airport expansion | bus services in rural areas",
        "Rail Company | Airport Authority | Transport Ministry | Commuters' Association",
        "transport minister | chief operating officer | route planner | passenger advocate",
        "{Org} launches {event} in {place} | Commuters in {place} face {event} | {event_cap} divides {place}",
    ),
    "technology": (
        "a data breach | the launch of a national digital ID | an outage at a cloud provider | a ban on a popular app",
        "personal data protection | the semiconductor plant | broadband coverage | artificial intelligence rules",
        "Data Protection Office | Telecoms Group | Software Alliance | Cyber Security Centre",
        "chief technology officer | data commissioner | security researcher | product director",
        "{Org} confirms {event} | {event_cap} exposes gaps in {subject} | {Place} firms hit by {event}",
    ),
    "science": (
        "the discovery of a new species | a satellite launch | a glacier survey | a breakthrough in battery research",
        "research funding | the polar research station | the particle physics programme | marine conservation",
        "Institute of Science | University | Space Agency | Natural History Museum",
        "lead researcher | professor of geology | mission director | marine biologist",
        "Scientists in {place} report {event} | {Org} team leads {event} | {event_cap} surprises researchers",
    ),
    "education": (
        "a teachers' strike | a row over exam results | school closures | a cut in university places",
        "tuition fees | the school curriculum | class sizes | teacher recruitment",
        "Teachers' Union | Education Ministry | University Council | Parents' Network",
        "education minister | head teacher | vice-chancellor | union president",
        "{event_cap} hits schools in {place} | {Org} warns over {subject} | Parents in {place} angry at {event}",
    ),
    "crime": (
        "a series of burglaries | a major drugs seizure | a cyber fraud ring | a rise in knife crime",
        "police funding | the use of surveillance cameras | youth diversion schemes | sentencing rules",
        "Police Service | Crime Agency | Prosecution Service | Victims' Trust",
        "detective inspector | police chief | prosecutor | community officer",
        "Police in {place} investigate {event} | {Org} reports {event} | Arrests follow {event} in {place}",
    ),
    "courts": (
        "a landmark ruling | an appeal against a planning decision | a libel trial | a class action",
        "the right to protest | compensation for residents | the government's asylum policy | press freedom",
        "Supreme Court | High Court | Bar Association | Civil Liberties Union",
        "presiding judge | defence lawyer | chief justice | legal scholar",
        "{Org} delivers {event} | Judges in {place} hear {event} | {event_cap} over {subject}",
    ),
    "business": (
        "a takeover bid | the closure of a factory | record quarterly profits | a round of job cuts",
        "the company's pension fund | supply chain costs | the merger terms | executive pay",
        "Holdings | Manufacturing Group | Retail Group | Shipping Line",
        "chief executive | finance director | board chair | shareholder activist",
        "{Org} announces {event} | {event_cap} at {org} stuns {place} | Investors weigh {event}",
    ),
    "markets": (
        "a sharp sell-off in bank shares | a rally in commodity prices | a bond market wobble | a record high for the index",
        "the currency | government borrowing costs | oil prices | technology stocks",
        "Stock Exchange | Investment Bank | Pension Fund | Securities Regulator",
        "chief strategist | fund manager | market analyst | currency trader",
        "Markets rattled by {event} | {Org} sees {event} | {event_cap} as traders eye {subject}",
    ),
    "agriculture": (
        "a poor harvest | an outbreak of bird flu | protests by farmers | a ban on fertiliser imports",
        "crop subsidies | water for irrigation | food prices | rural incomes",
        "Farmers' Union | Agriculture Ministry | Grain Board | Co-operative",
        "farm leader | agriculture minister | agronomist | co-operative manager",
        "Farmers in {place} warn of {event} | {Org} blames {event} on weather | {event_cap} lifts food prices",
    ),
    "housing": (
        "a rise in rents | a halt to a housing project | a shortage of social homes | a jump in evictions",
        "planning rules | mortgage rates | rent controls | empty homes",
        "Housing Association | Tenants' Union | City Council | Builders' Federation",
        "housing minister | council leader | tenant organiser | developer",
        "{event_cap} squeezes renters in {place} | {Org} blames {subject} for {event} | {Place} council faces {event}",
    ),
    "sport": (
        "a cup final defeat | the sacking of a coach | a doping scandal | a record transfer",
        "the stadium plan | ticket prices | the youth academy | broadcasting rights",
        "Football Club | Athletics Federation | Rugby Union | Olympic Committee",
        "head coach | club captain | sporting director | team doctor",
        "{Org} reels after {event} | {event_cap} shakes {place} | Fans in {place} react to {event}",
    ),
    "culture": (
        "the reopening of a museum | a row over a statue | a record crowd at a festival | the sale of a painting",
        "arts funding | the national library | heritage protection | the film industry",
        "National Gallery | Arts Council | Opera House | Heritage Trust",
        "museum director | festival organiser | curator | culture minister",
        "{Org} celebrates {event} | {event_cap} draws crowds to {place} | {Place} divided over {event}",
    ),
    "defence": (
        "a large military exercise | a contract for new frigates | a cyber attack on the ministry | a cut in troop numbers",
        "the defence budget | the procurement programme | veterans' care | border security",
        "Defence Ministry | Armed Forces | Naval Command | Shipbuilders",
        "defence minister | chief of staff | fleet commander | defence analyst",
        "{Org} confirms {event} | {event_cap} near {place} draws protest | {Place} shipyard wins {event}",
    ),
    "diplomacy": (
        "a state visit | talks on a trade deal | the expulsion of diplomats | a summit on migration",
        "the border agreement | sanctions | the fishing rights treaty | visa rules",
        "Foreign Ministry | Embassy | Trade Delegation | Regional Council",
        "foreign minister | ambassador | chief negotiator | envoy",
        "{Org} hosts {event} in {place} | {event_cap} stalls over {subject} | Leaders meet in {place} for {event}",
    ),
}

WEEKDAYS: Final = _words("Monday | Tuesday | Wednesday | Thursday | Friday | Saturday | Sunday")
MONTHS: Final = _words("January | February | March | April | May | June")
MONTHS_NEXT: Final = _words("August | September | October | November | December")
DIRECTIONS: Final = _words("north | south | east | west | north-east | south-west")
GENERIC_ROLES: Final = _words(
    """spokesperson | spokeswoman | spokesman | senior official | deputy director |
    press officer | board member | local councillor | independent analyst"""
)
BANKS: Final = _words(
    "Securities | Research | Capital | Partners | Economics | Analytics | Advisory | Insight"
)
SUBHEADS: Final = _words(
    """What happens next | A long dispute | Reaction in {place} | Costs mount |
    Questions over {subject} | Pressure on the {org_short} | The view from {place2} |
    Timeline | Years in the making | Calls for an inquiry | Markets react | Local anger"""
)

# The text grammar. A rule's options are separated by ``|`` (an empty option drops the
# words); in an option, ``<rule>`` is replaced by one option of that rule and ``{field}`` by
# the story's value or a fresh one (a name, a figure). Noun and verb phrases are put
# together from long word lists, so that two different stories seldom share five words in
# a row, as in real news, while copies of one story share nearly all of theirs.
_GRAMMAR: Final = {
    "lead": """
        {Org} <said_when> that <clause>, <despite> |
        {event_cap} in {place} <left> {org} <facing> <np>, with <actors> <scrambling> to
            <contain> the <fallout> over {subject} |
        <officials_cap> in {place} <confirmed> {event} <when>, a <move> that {p1}, the
            {p1_role} of {org}, <called> "<verdict>" after <period> of <wrangling> over
            {subject} |
        {event_cap} was <under_way> in {place} <when> after <talks> between {org} and {org2}
            <broke_down> over <np>, <according_to> |
        {Org} <is_under_pressure> <after> {event} in {place}, where <about> {n_mid} <people>
            <gathered> <where> <when> to <demand> <np>""",
    "intro_p1": """
        {p1}, the {p1_role} of {org}, <said_when> that <clause> |
        <speaking>, {p1}, {org}'s {p1_role}, said {subject} had been "<neglected> for
            <too_long>" |
        {p1}, who has <been> {p1_role} of {org} since {year}, called <np> <verdict2>, and
            said <clause>""",
    "intro_p2": """
        {P2}, the {p2_role} of {org2}, <struck_tone> in a <statement> <when>, saying <clause> |
        {P2}, {p2_role} at {org2}, said <clause> |
        The <response> from {org2} came from {P2}, its {p2_role}, who said <clause>""",
    "body": """
        <speaker> <said_when> that <clause> |
        <speaker> <said_when> that <clause>, <adding> that <clause> |
        <clause_cap>, <according_to> |
        <time_lead>, <clause> |
        <data_source> <showed> <measure> <moved> to <value> <in_period>, <comparison> |
        <group_cap> in {place} <reacted> to <np>, <with_some> |
        The <dispute> over {subject} <began> in {month} when {org2} <verb_past> <np> |
        <clause_cap> <adjunct2>, <speaker_last> <said_short> |
        <speaker> <warned> that <clause> <unless> |
        <speaker> <said_when> that <nobody> had <expected> <np> <adjunct> |
        <group_cap> <gathered> <where> <when>, <carrying> <slogans> <against> <np> |
        <place_cap> {n_mid} <distance> to the {direction}, <group> <were> <bracing> for
            <similar> <trouble> over <np> |
        <poll> <by_whom> {bank} put support for <np> <among> {area} at {pct}, <against>
            {pct2} for <np>""",
    "quote": """
        "<q_open> <q_body>," {P1_last} <said_short> |
        "<q_open> <q_body>," said {Official}, <a_role> at {org2} |
        {P2_last} told <audience> in {place}: "<q_open> <q_body>." |
        "<q_body>," {P2_last} said, <adding_q>: "<q_open>" |
        "<q_open> <q_body>," {P1_last} told <venue_np> <when> |
        <interview>, {P1_last} said: "<q_body>. <q_open>\"""",
    "q_open": """
        <np_cap> <is> <q_adj2>. | Nobody <wanted> <np> to <verb> <np>. | <np_cap> <speaks> for
        itself. | We <q_feel> <np>. | We
        will not <verb> <np>. | <frankly>, <np> is <q_adj2>.
        | {area} <deserves> <np>.""",
    "q_body": """
        We <keep> <pressing> for <np> | <still_time> to <verb> <np> | <group_cap> in {area}
        <deserve> <np> | Anyone who <looks_at> <np> <can_see> | We <expect> <verb> <np> by
        {weekday2} | <need_now> <np> | <nobody_wait> {n_small} <units> for <np> | We are
        <ready> to <verb> <np> <how_meet> | <np_cap> will <decide> whether we <verb> <np> | I
        have <spoken> to <many> <group> on {street} | We will <study> <np> before we <act> |
        <np_cap> cannot go on""",
    "is": "is | was | has been | looks | remains",
    "q_feel": """are worried about | are angry about | welcome | reject | support | oppose |
        will fight | cannot accept | fully back""",
    "deserves": "deserves | needs | has waited years for | was promised",
    "expect": "expect to | hope to | will | aim to | plan to",
    "study": "study | examine | look at | weigh up | read",
    "clause": "<actor> <modal> <adv> <verb> <np> <adjunct>",
    "clause_cap": "<actor_cap> <modal> <adv> <verb> <np> <adjunct>",
    "actor": """the {org_short} | {org} | {org2} | the government | the government in {country}
        | the council in {place} | the ministry | the cabinet | the {org_short}'s board | the
        mayor of {place2} | the regulator | the national ombudsman | parliament in {country} |
        {P1_last} | {P2_last} | the {org_short}'s leadership""",
    "actor_cap": """The {org_short} | {Org} | The government | The government in {country} |
        The council in {place} | The ministry | The cabinet | The {org_short}'s board | The
        mayor of {place2} | The regulator | Parliament in {country} | {P1_last} | {P2_last}""",
    "modal": """would | could | was ready to | had agreed to | planned to | was expected to |
        had refused to | was unlikely to | might still | had been forced to | hoped to |
        intended to | would not | had promised to | was under pressure to | had voted to |
        wanted to | was preparing to""",
    "np": """<det> <adj> <noun> | <det> <adj> <noun> | <det> <adj> <noun> for {subject} |
        {subject} | <det> <noun> on {street} | <det> {area} <noun> | <det> <adj> <noun> at
        {street} | the {area} <noun> | <det> <noun> <prep> {place2} | <det> {money} <noun> |
        <det> {n_small}-year <noun> | <det> <adj> <noun> and <det> <noun> | the {street}
        <noun> | <det> <noun> in {area}""",
    "np_cap": """The <adj> <noun> | Its <adj> <noun> | This <noun> | The {money} <noun> | The
        <noun> in {place}""",
    "det": """the | the | its | a | their | this year's | the city's | {place}'s | {org2}'s |
        the government's | {P1_last}'s | the {year}""",
    "adj": """ | | | new | revised | proposed | planned | disputed | controversial | costly |
        ambitious | modest | sweeping | delayed | expanded | temporary | permanent | emergency
        | interim | draft | final | formal | detailed | broad | limited | separate | updated |
        reduced | extended | fragile | tentative | binding | cross-party | multi-year |
        long-awaited | long-delayed | much-criticised | unpopular | popular | expensive |
        cheaper | regional | national | local | rural | urban | coastal | northern | southern |
        annual | quarterly | independent | official | unofficial | private | public | joint |
        voluntary | mandatory | digital | green | low-cost | high-speed | long-term |
        short-term | one-off | flagship | second | fresh | existing | current | previous |
        original | rival | alternative | compromise | watered-down | underfunded | overdue""",
    "noun": """plan | scheme | budget | contract | review | policy | deal | proposal | rulebook |
        tax | levy | subsidy | project | programme | timetable | inquiry | report | strategy |
        fund | pay offer | bill | measure | reform | pilot | tender | licence | permit |
        network | route | service | target | cap | ban | agreement | settlement |
        compensation package | investment | loan | grant | audit | ballot | consultation |
        framework | charter | code of conduct | safety regime | training scheme | pension
        scheme | bonus scheme | rota system | shift pattern | hiring freeze | recruitment drive
        | spending review | price cap | rent freeze | fuel duty | tariff | quota | flood
        barrier | sea wall | bypass | rail link | ferry service | bus route | cycle lane | tram
        line | runway | terminal | depot | warehouse | factory | refinery | wind farm | solar
        park | power station | pipeline | substation | reservoir | water main | hospital wing
        | clinic | school | campus | library | museum | stadium | theatre | housing estate |
        market hall | container berth | shipyard | border post | data centre | payroll system
        | database | helpline | food bank | shelter | care home | nursery | police station |
        courthouse | prison | airbase | frigate order | vaccine rollout | screening programme |
        waiting list | relief fund | hardship payment | pay rise | wage floor | working week |
        overtime rule | notice period | redundancy package | merger | takeover | share sale |
        bond issue | credit line | bailout | rescue plan | recovery plan | action plan | roadmap
        | white paper | blueprint | petition | lawsuit | appeal | injunction | ruling | fine |
        penalty | sanction | embargo | visa scheme | trade pact | treaty | ceasefire""",
    "verb": """review | suspend | scale back | fund | delay | scrap | defend | challenge | extend
        | reconsider | press ahead with | publish | pay for | freeze | rewrite | cap |
        seek advice on | cost | consult on | overhaul | phase out | bring forward |
        approve | reject | block | back | endorse | oppose | question | investigate | audit |
        expand | shrink | relaunch | rename | merge | sell | buy | lease | reopen | close |
        mothball | restart | upgrade | replace | repair | inspect | license | restrict |
        subsidise | underwrite | guarantee | renegotiate | sign | ratify | veto | amend | water
        down | toughen | simplify | speed up | pause | resume | cancel | postpone | announce |
        unveil | withdraw | drop | revive | protect | secure | finance | share""",
    "verb_past": """reviewed | suspended | scaled back | delayed | scrapped | defended |
        challenged | extended | published | froze | rewrote | capped | overhauled | approved |
        rejected | blocked | backed | endorsed | opposed | questioned | expanded | relaunched |
        sold | bought | reopened | closed | restarted | upgraded | replaced | restricted |
        renegotiated | signed | vetoed | amended | watered down | toughened | paused |
        cancelled | postponed | announced | unveiled | withdrew | dropped | revived""",
    "adv": """ | | | | quietly | publicly | formally | reluctantly | swiftly | finally | already
        | repeatedly | privately | openly | quickly | eventually | cautiously | partly | fully
        | temporarily | jointly | unilaterally | urgently | gradually""",
    "prep": "in | near | outside | for | serving | north of | south of | beyond",
    "adjunct": """ | | before {day_next} | within {n_small} weeks | if <np> fails |
        after {event} | in {place2} | despite <opposition> | by {month_next} | for at least
        {n_small} months | unless {org2} <backed_down> | as soon as {weekday2} | while <np> is
        under review | once <np> is agreed | at a meeting on {weekday2} | over the next
        {n_small} years | in time for a {day_next} deadline | alongside <np> | instead of
        <np> | as part of <np>""",
    "adjunct2": """this year | by {month_next} | before {weekday2} | in {place2} | within
        {n_small} days | next month | as early as {weekday2}""",
    "opposition": """objections from {org2} | protests in {place} | a legal challenge to <np> |
        warnings from {bank} | criticism from {Official} | a petition signed by {n_big} people |
        falling support in {place} | concerns over <np>""",
    "despite": """despite <opposition> | even as <actor> <warned_past> of <trouble> | in spite
        of <opposition> | <according_to>""",
    "said_when": """said <when> | told reporters <when> |
        announced <when> | confirmed <when> | wrote to {n_big} <group> <when> | told <venue_np>
        | said in a <statement> to <group>""",
    "when": """on {weekday} | late on {weekday} | early on {weekday} | on {weekday} evening |
        on {weekday} morning | on {weekday2} | this week | | late on {weekday2}""",
    "speaker": """{p1}, the {p1_role} of {org}, | {P1_last} | {P2_last} | {Official}, <a_role>
        at {org}, | {Official}, <a_role> at {org2}, | {org2}'s <spokes> | {org}'s <spokes> |
        {Org} | <officials_cap> in {place} | {P2}, {org2}'s {p2_role},""",
    "speaker_last": "{P1_last} | {P2_last} | {Official} | {org2}'s <spokes>",
    "a_role": """a <seniority> <function> | an <vowel_seniority> <function> | the <seniority>
        <function>""",
    "seniority": """senior | deputy | junior | chief | former | regional | lead | principal |
        veteran | newly appointed | long-serving""",
    "vowel_seniority": "acting | assistant | interim | outgoing | external | independent",
    "function": """director | analyst | adviser | official | economist | planner | negotiator |
        lawyer | engineer | manager | councillor | researcher | auditor | spokesperson""",
    "spokes": "spokesperson | spokeswoman | spokesman | press officer | senior aide",
    "said_short": """said | added | told reporters | said on {weekday2} | told local radio |
        said in a statement | wrote on social media""",
    "adding": "adding | and added | but stressed | while insisting | and warned",
    "according_to": """according to <informants> | <informants> said | according to
        <document>""",
    "informants": """people familiar with <np> | two people briefed on <np> | officials on
        both sides | a source close to {P1_last} | {n_small} people who attended | an aide to
        {P1_last} | people close to {P2_last}""",
    "document": """a memo on <np> | minutes of a meeting in {month} | internal figures from
        {org} | a leaked draft of <np> | a letter sent to {n_big} members | court papers filed
        on {weekday2}""",
    "time_lead": """By late afternoon | By {weekday2} evening | Earlier in {month} | Within
        hours | Last {month} | On {weekday2} | At a meeting in {place2} | Since {year} | Over
        the past {n_small} weeks | Before the vote | In {place2}""",
    "data_source": """Data from {org2} | Figures from {org} | Official statistics | Estimates by
        {bank} | A survey by {bank} | Records kept by {org2} | Numbers released on {weekday2}""",
    "showed": "showed | suggested | confirmed | indicated | revealed",
    "measure": """the jobless rate in {place} | spending on <np> | complaints about <np> | the
        cost of <np> | waiting times in {place} | the number of claims | prices in {place} |
        membership of {org} | turnout in {place2}""",
    "moved": "rising | falling | climbing | edging up | dropping | jumping | slipping",
    "value": "{pct_low} | {pct} | {money} | {n_big} | a {year} high | its lowest since {year}",
    "in_period": "in {month} | last year | in the {ordinal} quarter | since {month} | this year",
    "comparison": """<compared_with> {money2} a year earlier | the <fastest> <change> since
        {year} | <analysts> said | well above forecasts | in line with expectations""",
    "compared_with": "compared with | against | up from | down from",
    "fastest": "fastest | sharpest | steepest | biggest | largest",
    "change": "change | increase | move | shift | swing",
    "analysts": "analysts at {bank} | economists | statisticians | officials in {place}",
    "group": """residents | traders | commuters | parents | shop owners | farmers | nurses |
        students | pensioners | drivers | fishermen | families | staff | members | voters""",
    "group_cap": """Residents | Traders | Commuters | Parents | Shop owners | Farmers | Nurses |
        Students | Pensioners | Drivers | Fishermen | Families | Campaigners | Protesters""",
    "reacted": """reacted with anger | were divided | gave a cautious welcome | were
        unimpressed | voiced relief | were split | reacted calmly""",
    "with_some": """with some <backing> {org} and others <tired> <np> | with {n_mid} signing a
        petition by {weekday2} | <complaining> <np> | <many_saying> <np>""",
    "complaining": """saying nobody had asked them about | complaining of no say over |
        angry at being ignored over | protesting that they had no say on""",
    "many_saying": """many saying they would wait for | others asking to see | some holding out
        for | most demanding""",
    "backing": "backing | supporting | siding with | defending",
    "tired": "tired of | complaining about | fed up with | worried by",
    "dispute": "dispute | row | argument | stand-off | controversy | wrangling",
    "began": "began | erupted | started | flared up | first surfaced",
    "warned": "warned | cautioned | insisted | argued | predicted | suggested",
    "warned_past": "warned | complained | spoke | talked",
    "unless": """unless <actor> <backed_down> | if nothing changed | without <np> | | before
        {month_next} | in the coming weeks""",
    "backed_down": "backed down | changed course | found more money | agreed to talks",
    "nobody": "nobody | few people | hardly anyone | not even {P2_last} | no one",
    "expected": "expected | predicted | foreseen | planned for | budgeted for",
    "gathered": "gathered | rallied | assembled | marched | met",
    "where": """outside the {org_short}'s headquarters | in the main square | near the town
        hall | outside parliament | at the port gates | outside its offices | in {place2}""",
    "carrying": "carrying | waving | holding | handing out",
    "slogans": "banners | placards | leaflets | flags | petitions",
    "against": "against | about | opposing | criticising | supporting",
    "place_cap": "Some | About | Roughly | Nearly",
    "distance": "kilometres | miles",
    "about": "about | some | more than | nearly | at least | roughly | fewer than",
    "were": "said they were | were already | have been | are",
    "bracing": "bracing | preparing | planning | getting ready",
    "similar": "similar | further | fresh | more",
    "trouble": "disruption | protests | closures | delays | shortages | strikes",
    "among": "among voters in | among residents of | among businesses in | in",
    "poll": "A poll | A survey | Research | A study | Polling | A {month} survey",
    "by_whom": "by | for | commissioned by | carried out by",
    "voters": "voters | people | adults | residents | businesses",
    "backed": "backed | supported | welcomed | favoured",
    "opposed": "opposed | rejected | were against | disliked",
    "left": "has left | left | has put | has placed",
    "facing": "facing | confronting | dealing with | grappling with",
    "actors": "officials | managers | ministers | lawyers | advisers",
    "scrambling": "scrambling | struggling | racing | working",
    "contain": "contain | limit | manage | explain",
    "fallout": "fallout | damage | anger | confusion",
    "officials_cap": "Officials | Authorities | Local officials | Police | Emergency services",
    "confirmed": "confirmed | announced | disclosed | reported",
    "move": "move | step | decision | development",
    "called": "called | described as | hailed as | labelled",
    "verdict": """long overdue | a necessary step | the only option left | a disgrace | a
        relief | a mistake""",
    "verdict2": """serious but manageable | a wake-up call | deeply worrying | unprecedented
        | regrettable""",
    "period": "months | weeks | a year | {n_small} years | {n_small} months",
    "wrangling": "argument | wrangling | debate | uncertainty | delay",
    "under_way": "under way | in full swing | gathering pace | spreading | continuing",
    "talks": "talks | negotiations | last-ditch talks | mediation",
    "broke_down": "broke down | collapsed | ended without agreement | stalled",
    "is_under_pressure": """has been thrown into turmoil | is under mounting pressure | faces
        fresh scrutiny | is counting the cost""",
    "after": "after | following | in the wake of | amid",
    "people": "people | protesters | residents | workers | supporters",
    "demand": "demand | protest over | voice anger at | ask questions about",
    "speaking": """Speaking on {weekday} | Talking to reporters in {place} | In remarks on
        {weekday2} | Asked about <np>""",
    "neglected": "ignored | neglected | put off | underfunded",
    "too_long": "far too long | years | a decade | {n_small} years",
    "been": "been | served as | worked as",
    "struck_tone": """struck a more cautious tone | took a harder line | sounded more hopeful
        | offered a different view""",
    "statement": "statement | briefing | radio interview | letter | video message | memo",
    "response": "response | reaction | reply",
    "audience": "reporters | journalists | a crowd | supporters | local radio",
    "adding_q": "adding | before adding | and then",
    "venue_np": """a {area} <venue> | {n_mid} <group> at a <venue> | a <venue> on {street} |
        <group> in {area}""",
    "keep": "will keep | are still | will go on | must keep",
    "venue": "news conference | briefing | radio station | public meeting",
    "interview": """Speaking to local radio | In a television interview | Asked about <np> | At
        a rally in {place2}""",
    "still_time": """There is still time | We still have time | It is not too late | There
        is a chance | We have a window""",
    "can_see": """can see the problem | knows the answer | will see the gap | will be shocked |
        understands why""",
    "need_now": """What we need now is | We are asking for | Give us | We want | Everyone
        wants""",
    "nobody_wait": """Nobody should have to wait | People cannot wait | Families have waited |
        Patients should not wait | We have waited""",
    "clear": "clear | consistent | honest | open | candid",
    "wanted": "wanted | expected | asked | needed",
    "speaks": "speaks | says enough | is proof",
    "q_adj": "worried | serious | optimistic | angry | realistic | united",
    "q_adj2": "a disaster | a mess | difficult | good news | overdue | unfair | hard to defend",
    "everyone": "everyone | all of us | our members | every household | everybody",
    "easy": "easy | simple | quick | cheap",
    "frankly": "Frankly | Honestly | To be blunt | Put simply",
    "pressing": "pressing | pushing | calling | arguing",
    "reviewed": "reviewed properly | examined in full | looked at again | fixed",
    "deserve": "deserve | need | are owed | want",
    "looks_at": "looks at | reads | checks",
    "money_word": "money | funding | people | staff",
    "units": "months | weeks | years | days",
    "ready": "ready | willing | prepared",
    "how_meet": "through a mediator | face to face | at any time | this week | | in {place2}",
    "decide": "decide | show | determine | tell us",
    "spoken": "spoken | talked",
    "many": "dozens of | many | hundreds of | plenty of",
    "closely": "closely | carefully | hard",
    "act": "decide | act | commit | move",
}
RULES: Final[dict[str, tuple[Template, ...]]] = {
    name: _templates(text) for name, text in _GRAMMAR.items()
}


def _check_grammar(rules: dict[str, tuple[Template, ...]]) -> None:
    """Raise ValueError naming any ``<rule>`` that the grammar uses but does not define."""
    used = {p.name for options in rules.values() for t in options for p in t if isinstance(p, _Ref)}
    if missing := sorted(used - rules.keys()):
        raise ValueError(f"expected every rule of the grammar defined, missing: {missing}")


_check_grammar(RULES)

# British spellings in the templates above, and the edits a copy editor would make.
SPELLING_EDITS: Final = (
    ("organisation", "organization"),
    ("organisers", "organizers"),
    ("organiser", "organizer"),
    ("labour", "labor"),
    ("centre", "center"),
    ("programme", "program"),
    ("defences", "defenses"),
    ("neighbouring", "neighboring"),
    ("Travelling", "Traveling"),
    ("fertiliser", "fertilizer"),
    ("kilometres", "kilometers"),
    ("councillor", "councilor"),
)
ORDINALS: Final = _words("second | third | fourth | fifth")


Block = tuple[Literal["p", "h2"], tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class Doc:
    """One article: its metadata and its body as blocks of sentences.

    ``name`` is the file stem, unique in the corpus; ``copy_of`` is the name of the
    article it republishes, or None for an original.
    """

    name: str
    title: str
    published: datetime
    outlet: str
    url: str
    tags: tuple[str, ...]
    blocks: tuple[Block, ...]
    copy_of: str | None = None

    @property
    def paragraphs(self) -> tuple[str, ...]:
        """The body's paragraphs as text, subheads left out."""
        return tuple(" ".join(s) for kind, s in self.blocks if kind == "p")

    @property
    def word_count(self) -> int:
        """Words in the body, subheads left out."""
        return sum(len(p.split()) for p in self.paragraphs)

    def body_markdown(self) -> str:
        """The body as Markdown: paragraphs and ``## Subhead`` lines, blank-line separated."""
        return "\n\n".join(
            " ".join(s) if kind == "p" else "## " + " ".join(s) for kind, s in self.blocks
        )


def slugify(text: str, limit: int = 48) -> str:
    """Lower-case ASCII words joined by hyphens, at most ``limit`` characters.

    >>> slugify("Kraków's Café: 48-hour strike!")
    'krakows-cafe-48-hour-strike'
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower().replace("'", ""))
    slug = "-".join(words)
    return slug[:limit].rstrip("-")


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


class _Fields(dict[str, str]):
    """Template fields: the story's own, plus fresh random ones made on first use."""

    def __init__(self, story: dict[str, str], rng: random.Random) -> None:
        super().__init__(story)
        self._rng = rng

    def __missing__(self, key: str) -> str:
        maker = _FRESH.get(key)
        if maker is None:
            raise KeyError(key)
        value = maker(self._rng)
        self[key] = value
        return value


def _a(noun: str) -> str:
    """``noun`` with its indefinite article.

    >>> _a("independent analyst"), _a("spokesperson")
    ('an independent analyst', 'a spokesperson')
    """
    return ("an " if noun[:1] in "aeiou" else "a ") + noun


_NAME_STARTS: Final = _words(
    """Ash | Brack | Kell | Marl | Thorn | Wick | Hol | Pen | Ald | Bly | Cran | Dun | Elm |
    Fern | Glen | Hart | Ivy | Kings | Lang | Mill | Nor | Oak | Pres | Quarr | Rad | Stan |
    Tarl | Upp | Vale | Wes | Bram | Cald | Dray | Ever | Fal | Gran | Hes | Lud | Mor | Sand"""
)
_NAME_ENDS: Final = _words(
    """grove | ford | ton | ley | wick | bury | field | mouth | stead | ham | worth | dale |
    brook | gate | moor | well | ridge | hurst | combe | by"""
)
_STREET_KINDS: Final = _words(
    "Road | Street | Lane | Park | Bridge | Quay | Avenue | Estate | Green | Hill | Square | Way"
)


def _area(rng: random.Random) -> str:
    """A made-up district name such as "Ashgrove" (800 of them)."""
    return rng.choice(_NAME_STARTS) + rng.choice(_NAME_ENDS)


def _street(rng: random.Random) -> str:
    """A made-up street name such as "Kellford Quay" (9,600 of them)."""
    return f"{_area(rng)} {rng.choice(_STREET_KINDS)}"


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"


def _money(rng: random.Random) -> str:
    unit = rng.choice(("million", "million", "billion"))
    amount = rng.choice((rng.randint(2, 950), round(rng.uniform(1.1, 9.9), 1)))
    return f"{rng.choice(('$', '€', '£'))}{amount} {unit}"


_FRESH: Final[dict[str, Callable[[random.Random], str]]] = {
    "weekday2": lambda r: r.choice(WEEKDAYS),
    "month": lambda r: r.choice(MONTHS),
    "month_next": lambda r: r.choice(MONTHS_NEXT),
    "n_small": lambda r: str(r.randint(2, 12)),
    "n_mid": lambda r: str(r.randint(15, 950)),
    "n_big": lambda r: f"{r.randint(1, 99) * 1000 + r.choice((0, 200, 500)):,}",
    "money": _money,
    "money2": _money,
    "pct": lambda r: f"{r.randint(2, 68)} per cent",
    "pct2": lambda r: f"{r.randint(2, 40)} per cent",
    "pct_low": lambda r: f"{round(r.uniform(2.5, 11.5), 1)} per cent",
    "year": lambda r: str(r.randint(1998, 2022)),
    "direction": lambda r: r.choice(DIRECTIONS),
    "bank": lambda r: f"{r.choice(SURNAMES)} {r.choice(BANKS)}",
    "Official": _person,
    "a_official_role": lambda r: _a(r.choice(GENERIC_ROLES)),
    "ordinal": lambda r: r.choice(ORDINALS),
    "day_next": lambda r: f"{r.randint(1, 28)} {r.choice(MONTHS_NEXT)}",
    "area": _area,
    "street": _street,
}


# How a story refers to its organisation the second time: "the union", "the company".
_SHORT_NAMES: Final = {
    "holdings": "company",
    "line": "company",
    "shipbuilders": "company",
    "group": "group",
    "forces": "military",
    "command": "navy",
    "company": "company",
    "alliance": "alliance",
}


def _story_fields(rng: random.Random, topic: str) -> dict[str, str]:
    """The names, places and stakes one story keeps throughout its text."""
    events, subjects, orgs, roles, _ = (_words(x) for x in _TOPIC_WORDS[topic])
    place, country = rng.choice(PLACES)
    place2, _country2 = rng.choice([p for p in PLACES if p[0] != place])
    org_kind, org2_kind = rng.sample(orgs, 2)
    org_short = org_kind.split()[-1].lower()
    org_short = _SHORT_NAMES.get(org_short, org_short)
    p1, p2 = _person(rng), _person(rng)
    event = rng.choice(events)
    subject = rng.choice(subjects)
    return {
        "topic": topic,
        "place": place,
        "Place": place,
        "country": country,
        "place2": place2,
        "org": f"the {place.split()[0]} {org_kind}",
        "Org": f"The {place.split()[0]} {org_kind}",
        "org2": f"the {rng.choice(SURNAMES)} {org2_kind}",
        "org_short": org_short,
        "event": event,
        "event_cap": _capitalise(event),
        "subject": subject,
        "p1": p1,
        "P1_last": p1.split()[-1],
        "p1_role": rng.choice(roles),
        "P2": p2,
        "P2_last": p2.split()[-1],
        "p2_role": rng.choice(roles),
        "weekday": rng.choice(WEEKDAYS),
    }


def _headline(rng: random.Random, story: dict[str, str], avoid: str = "") -> str:
    """A headline for the story, different from ``avoid`` when the templates allow."""
    templates = _words(_TOPIC_WORDS[story["topic"]][4])
    fields = dict(story)
    fields["Org"] = story["org"].removeprefix("the ")
    fields["org"] = fields["Org"]
    fields["Place"] = story["place"]
    choices = [t for t in templates if _capitalise(t.format_map(fields)) != avoid]
    return _capitalise(rng.choice(choices or templates).format_map(fields))


def _expand(template: Template, rng: random.Random) -> str:
    """One wording of ``template``: a choice for each ``[a/b]``, each ``<rule>`` expanded.

    >>> _expand(_templates("It [rained/poured] <adjunct2>")[0], random.Random(1))
    'It rained within {n_small} days'
    """
    out = []
    for part in template:
        if isinstance(part, str):
            out.append(part)
        elif isinstance(part, _Ref):
            out.append(_expand(rng.choice(RULES[part.name]), rng))
        else:
            out.append(rng.choice(part))
    return "".join(out)


_SPACE_BEFORE_PUNCTUATION = re.compile(r" +(?=[,.:;])")
_SPACES = re.compile(r" {2,}")
# "a" before a vowel sound, as the word lists put it together: "a expensive" → "an expensive".
_A_BEFORE_VOWEL = re.compile(r"\b([Aa]) (?=[aeioAEIO](?!ne[ -])|un(?!i))")


def _sentence(rule: str, story: dict[str, str], rng: random.Random) -> str:
    """One sentence of the story from the grammar's ``rule``, with its full stop."""
    text = _expand(rng.choice(RULES[rule]), rng).format_map(_Fields(story, rng))
    text = _SPACES.sub(" ", _SPACE_BEFORE_PUNCTUATION.sub("", text)).strip()
    text = _A_BEFORE_VOWEL.sub(r"\1n ", text)
    if not text.endswith((".", '."')):
        text += "."
    return _capitalise(text)


def _body(rng: random.Random, story: dict[str, str]) -> tuple[Block, ...]:
    """About WORDS_PER_ARTICLE words: a lead, then paragraphs of 2–3 sentences with quotes."""
    target = int(rng.gauss(WORDS_PER_ARTICLE, 50))
    blocks: list[Block] = [
        ("p", (_sentence("lead", story, rng),)),
        # The two people that later sentences quote by surname are introduced in full first.
        ("p", (_sentence("intro_p1", story, rng), _sentence("body", story, rng))),
        ("p", (_sentence("intro_p2", story, rng), _sentence("body", story, rng))),
    ]
    words = sum(len(s.split()) for _, sentences in blocks for s in sentences)
    subheads = rng.choice((0, 0, 0, 1, 1, 2))
    subhead_at = sorted(rng.sample(range(4, 12), subheads))
    heads = rng.sample(SUBHEADS, subheads)
    while words < target:
        if subhead_at and len(blocks) == subhead_at[0]:
            subhead_at.pop(0)
            blocks.append(("h2", (heads.pop().format_map(_Fields(story, rng)),)))
        sentences = tuple(
            _sentence("quote" if rng.random() < 0.3 else "body", story, rng)
            for _ in range(rng.choice((2, 2, 3)))
        )
        blocks.append(("p", sentences))
        words += sum(len(s.split()) for s in sentences)
    return tuple(blocks)


def _url(outlet: str, published: datetime, slug: str) -> str:
    return f"https://example.com/{slugify(outlet)}/{published:%Y/%m/%d}/{slug}"


def _original(
    rng: random.Random, index: int, span: int = CORPUS_DAYS * 86400
) -> tuple[Doc, dict[str, str]]:
    """A new story's first article, dated within the ``span`` seconds before the corpus
    ends, with the story's fields (for re-headlining copies)."""
    topic = rng.choice(TOPICS)
    story = _story_fields(rng, topic)
    title = _headline(rng, story)
    outlet = rng.choice(OUTLETS)
    published = CORPUS_END - timedelta(seconds=rng.randrange(span))
    published = published.replace(second=0)
    story["weekday"] = f"{published:%A}"
    others = rng.sample([t for t in TOPICS if t != topic], rng.choice((0, 1, 1, 2)))
    slug = slugify(title)
    doc = Doc(
        name=f"{index:06d}-{slugify(outlet, 24)}-{slug}",
        title=title,
        published=published,
        outlet=outlet,
        url=_url(outlet, published, slug),
        tags=(topic, *others),
        blocks=_body(rng, story),
    )
    return doc, story


def _truncate(blocks: Sequence[Block], keep_words: int) -> tuple[Block, ...]:
    """The first ``keep_words`` words or so, cut at a sentence; no subhead left at the end."""
    out: list[Block] = []
    words = 0
    for kind, sentences in blocks:
        if words >= keep_words:
            break
        if kind == "h2":
            out.append((kind, sentences))
            continue
        kept: list[str] = []
        for sentence in sentences:
            if words >= keep_words and kept:
                break
            kept.append(sentence)
            words += len(sentence.split())
        out.append(("p", tuple(kept)))
    while out and out[-1][0] == "h2":
        out.pop()
    return tuple(out)


def _respell(blocks: tuple[Block, ...], rng: random.Random) -> tuple[Block, ...]:
    """One or two copy-editor's spelling edits (or "said" → "says" where none applies)."""
    text = "\n".join("\t".join(s) for _, s in blocks)
    edits = [(a, b) for a, b in SPELLING_EDITS if re.search(rf"\b{a}\b", text)]
    chosen = rng.sample(edits, min(len(edits), rng.choice((1, 2))))
    if not chosen:
        chosen = [("said", "says")]
    for old, new in chosen:
        text = re.sub(rf"\b{old}\b", new, text)
    kinds = [kind for kind, _ in blocks]
    return tuple(
        (kind, tuple(line.split("\t"))) for kind, line in zip(kinds, text.split("\n"), strict=True)
    )


# How a copy desk frames a headline it rewrites.
_HEADLINE_FORMS: Final = (
    "{h}, officials say",
    "Update: {h}",
    "{h} – what we know",
    "Analysis: {h}",
    "{h} amid growing anger",
)


def _copy(rng: random.Random, index: int, source: Doc, story: dict[str, str]) -> Doc:
    """A republished copy of ``source``: another outlet, truncated, re-headlined, respelled."""
    outlet = rng.choice([o for o in OUTLETS if o != source.outlet])
    published = source.published + timedelta(minutes=rng.randint(20, 22 * 60))
    keep = int(source.word_count * rng.uniform(0.5, 0.9))
    blocks = _respell(_truncate(source.blocks, keep), rng)
    title = _headline(rng, story, avoid=source.title)
    if rng.random() < 0.5:
        title = rng.choice(_HEADLINE_FORMS).format(h=title)
    slug = slugify(title)
    return Doc(
        name=f"{index:06d}-{slugify(outlet, 24)}-{slug}",
        title=title,
        published=published,
        outlet=outlet,
        url=_url(outlet, published, slug),
        tags=source.tags[: rng.randint(1, len(source.tags))],
        blocks=blocks,
        copy_of=source.name,
    )


def generate(n: int, seed: int = DEFAULT_SEED) -> list[Doc]:
    """``n`` articles, a fifth of them copies of others, in a fixed, seeded order.

    Originals come first and copies after, each copy of a randomly chosen original.
    """
    if n < 0:
        raise ValueError(f"expected a number of articles of 0 or more, found {n}")
    rng = random.Random(seed)
    copies = int(n * COPY_SHARE)
    originals = [_original(rng, i) for i in range(n - copies)]
    docs = [doc for doc, _ in originals]
    for i in range(n - copies, n):
        source, story = rng.choice(originals)
        docs.append(_copy(rng, i, source, story))
    return docs


EXTRA_SPAN: Final = 3600
"""An added article is news that just arrived: dated within the corpus's last hour."""


def extra_doc(index: int, seed: int = DEFAULT_SEED) -> Doc:
    """One more original article, numbered ``index``, to add to a built corpus: news
    that just arrived, dated within its last hour (``EXTRA_SPAN``).

    >>> doc = extra_doc(1000)
    >>> doc.name.startswith("001000-"), CORPUS_END - doc.published <= timedelta(hours=1)
    (True, True)
    """
    return _original(random.Random(f"{seed}-extra-{index}"), index, EXTRA_SPAN)[0]


def _yaml_string(text: str) -> str:
    """A double-quoted YAML scalar.

    >>> _yaml_string('He said "no"')
    '"He said \\\\"no\\\\""'
    """
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render(doc: Doc, layout: Layout) -> str:
    """The article's Markdown file, with the metadata header the layout expects."""
    date = doc.published.isoformat()
    if layout == "digest":
        head = [
            "---",
            f"title: {_yaml_string(doc.title)}",
            f"date: {date}",
            f"source: {_yaml_string(doc.outlet)}",
            f"url: {doc.url}",
            "tags: [" + ", ".join(doc.tags) + "]",
            "---",
        ]
    elif layout == "hugo":
        # Hugo reads ``url`` as the page's own path, so the source link is a parameter.
        head = [
            "---",
            f"title: {_yaml_string(doc.title)}",
            f"date: {date}",
            f"source: {_yaml_string(doc.outlet)}",
            f"source_url: {doc.url}",
            "tags: [" + ", ".join(doc.tags) + "]",
            f"outlets: [{_yaml_string(doc.outlet)}]",
            "---",
        ]
    elif layout == "pelican":
        head = [
            f"Title: {doc.title}",
            f"Date: {doc.published:%Y-%m-%d %H:%M}",
            f"Tags: {', '.join(doc.tags)}",
            f"Category: {doc.tags[0]}",
            f"Slug: {doc.name}",
            f"Author: {doc.outlet}",
            f"Source: {doc.url}",
        ]
    else:  # pragma: no cover - Layout is closed
        raise ValueError(f"expected a layout among {', '.join(LAYOUTS)}, found {layout!r}")
    return "\n".join(head) + "\n\n" + doc.body_markdown() + "\n"


def content_dir(out: Path, layout: Layout) -> Path:
    """The folder the layout's articles go into, under the site folder ``out``."""
    return out / "content" / "posts" if layout == "hugo" else out / "content"


def write_doc(doc: Doc, out: Path, layout: Layout) -> Path:
    """Write one article into the site folder ``out``; return its path."""
    path = content_dir(out, layout) / f"{doc.name}.md"
    path.write_text(render(doc, layout), encoding="utf-8")
    return path


HUGO_CONFIG: Final = """\
baseURL = "https://example.com/"
title = "Benchmark digest"
languageCode = "en"
# The same shape as a digest site: tag and outlet pages, 50 items in the feeds.
[taxonomies]
  tag = "tags"
  outlet = "outlets"
[services.rss]
  limit = 50
[markup.goldmark.renderer]
  unsafe = false
"""

HUGO_LAYOUTS: Final = {
    "baseof.html": """\
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{ .Title }} | {{ site.Title }}</title>
{{ with .OutputFormats.Get "rss" }}<link rel="alternate" type="application/rss+xml" href="{{ .Permalink }}">{{ end }}
</head>
<body>
<header><a href="{{ "/" | relURL }}">{{ site.Title }}</a></header>
<main>{{ block "main" . }}{{ end }}</main>
</body>
</html>
""",
    "home.html": """\
{{ define "main" }}
<h1>{{ site.Title }}</h1>
{{ range first 30 site.RegularPages.ByDate.Reverse }}
<article>
<h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<p><time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">{{ .Date.Format "2 January 2006" }}</time>
 · {{ .Params.source }}</p>
<p>{{ .Summary }}</p>
</article>
{{ end }}
{{ end }}
""",
    "page.html": """\
{{ define "main" }}
<article>
<h1>{{ .Title }}</h1>
<p><time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">{{ .Date.Format "2 January 2006" }}</time>
 · <a href="{{ .Params.source_url }}">{{ .Params.source }}</a></p>
{{ .Content }}
<ul>{{ range .GetTerms "tags" }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>
</article>
{{ end }}
""",
    "list.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul>
{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a> <time>{{ .Date.Format "2006-01-02" }}</time></li>
{{ end }}
</ul>
{{ end }}
""",
}

PELICAN_CONFIG: Final = """\
# Minimal Pelican settings for the benchmark corpus; the default theme.
AUTHOR = "Benchmark"
SITENAME = "Benchmark digest"
SITEURL = ""
PATH = "content"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
# The same shape as a digest site: 30 items a page, 50 items in the feeds.
DEFAULT_PAGINATION = 30
FEED_ALL_ATOM = "feeds/all.atom.xml"
FEED_ALL_RSS = "feeds/all.rss.xml"
FEED_MAX_ITEMS = 50
RELATIVE_URLS = True
LOAD_CONTENT_CACHE = False
"""


def write_site(out: Path, layout: Layout) -> None:
    """The layout's site files around the content: config and templates (none for digest)."""
    content_dir(out, layout).mkdir(parents=True, exist_ok=True)
    if layout == "hugo":
        (out / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
        layouts = out / "layouts"
        layouts.mkdir(exist_ok=True)
        for name, text in HUGO_LAYOUTS.items():
            (layouts / name).write_text(text, encoding="utf-8")
    elif layout == "pelican":
        (out / "pelicanconf.py").write_text(PELICAN_CONFIG, encoding="utf-8")


def write(docs: Iterable[Doc], out: Path, layout: Layout) -> int:
    """Write a whole site folder for ``layout`` into ``out``; return how many articles."""
    write_site(out, layout)
    count = 0
    for doc in docs:
        write_doc(doc, out, layout)
        count += 1
    return count


def main(argv: Sequence[str] | None = None) -> int:
    """The command line: write N articles in one layout into OUT_DIR."""
    parser = argparse.ArgumentParser(
        prog="python benchmarks/corpus.py",
        description="Write a deterministic corpus of N news articles (a fifth of them copies).",
    )
    parser.add_argument("n", type=int, metavar="N", help="how many articles")
    parser.add_argument("out", type=Path, metavar="OUT_DIR", help="the site folder to write")
    parser.add_argument("--layout", choices=LAYOUTS, default="digest")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error(f"N: expected a positive number of articles, found {args.n}")
    count = write(generate(args.n, args.seed), args.out, args.layout)
    print(f"{count:,} articles ({args.layout} layout) in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
