"""Word material for the synthetic stores: function words, crisis vocabulary, and syllables for the rest.

Statements draw their words from one Zipf-like distribution over function words (the head, as in real
text), then crisis vocabulary, then thousands of made-up words (the long tail). That gives full-text
queries the mix real ones face: a few terms in most rows, many in some, most in very few.
"""

from __future__ import annotations

FUNCTION_WORDS = (
    "the of and to in a on for with by from at as that was were is after its their over into near against"
    " while during since than had has have been are but not about between under across who which this also"
).split()

CRISIS_WORDS = (
    "offensive ceasefire border trade junta rebels militia airstrike airstrikes drone drones refugees displaced"
    " civilians casino casinos scam scams convoy checkpoint garrison surrender seized captured town towns highway"
    " bridge pipeline pipelines jade mine mines mining rare earth earths sanctions talks envoy mediation"
    " fighting clashes battalion battalions troops soldiers fighters alliance alliances coalition resistance"
    " regime election elections coup protest protests strike strikes curfew martial law emergency conscription"
    " recruits recruitment desertion defections shelling artillery mortar landmine landmines ambush raid raids"
    " villages village monastery school hospital clinic aid humanitarian access blockade supplies fuel rice"
    " prices inflation currency kyat exports imports crossing crossings gate gates corridor corridors port"
    " ports railway railways dam dams investment investors loans debt project projects infrastructure"
    " security stability diplomacy negotiations delegation summit meeting meetings statement statements"
    " warning warnings condemned condemnation denied confirmed reported reports estimated estimates killed"
    " wounded injured arrested detained released hostages prisoners trafficking smuggling narcotics"
    " methamphetamine opium heroin syndicate syndicates gangs compound compounds crackdown crackdowns"
    " repatriated repatriation nationals citizens workers labour migrants migration camps camp shelter"
    " shelters flood floods monsoon earthquake relief donors funding budget revenue taxes tax customs"
    " electricity power grid internet blackout telecoms communications media journalists censorship"
    " propaganda broadcast radio television newspaper newspapers court trial sentence sentenced amnesty"
    " pardon constitution parliament cabinet ministry minister ministers general generals commander"
    " commanders headquarters command regional northern southern eastern western central frontier hills"
    " river rivers valley mountains jungle roads road airport airfield airbase base bases outpost outposts"
    " positions territory control controls controlled retreat retreated withdrew withdrawal advance advanced"
    " advances counteroffensive reinforcements helicopter helicopters jets bombing bombed bombardment"
    " casualties deaths death toll losses gains momentum setback setbacks victory defeat collapse stalemate"
    " truce agreement agreements deal deals pact accord violations violation monitoring observers"
    " intelligence weapons arms ammunition supply shipments shipment procurement factories factory"
    " economy economic growth recession poverty hunger famine food shortages shortage medicine doctors"
    " teachers students strikes boycott boycotts resistance underground guerrilla urban rural districts"
    " township townships ward wards administration administrators officials official spokesman spokeswoman"
    " analysts analyst observers experts diplomats diplomatic embassy embassies consulate visa visas"
    " border-trade cross-border overland maritime coastal offshore gas oil energy hydropower minerals"
    " tin gold timber logging plantations land confiscation grabs farmers harvest harvests"
).split()

# Syllables for made-up words and names: they read like transliterated place and group names.
ONSETS = "k m l t s p h n y w ky sh th hs ng z b d ch g kh ph tr pr br".split()
NUCLEI = "a i o u e aw ai ay in aung an ein ok et it um on".split()
CODAS = ["", "", "", "n", "ng", "k", "t", "m", "r", "l", "s"]

GIVEN_NAMES = (
    "Aung Min Kyaw Zaw Soe Thein Tun Win Hla Khin Myint Nyi Thant Htet Ye Naing Wai Lin Moe Su Thiri Ei Nandar"
    " Lwin Phyo Sai Nang Brang Dashi Salai Saw Naw Khun Myo Than"
).split()

PUBLISHERS = (
    "Reuters",
    "Associated Press",
    "Agence France-Presse",
    "The Irrawaddy",
    "Myanmar Now",
    "Frontier Myanmar",
    "GZERO Media",
    "BBC Burmese",
    "Radio Free Asia",
    "Democratic Voice of Burma",
    "Mizzima",
    "Nikkei Asia",
    "South China Morning Post",
    "The Diplomat",
    "Al Jazeera",
    "International Crisis Group",
    "ACLED",
    "United Nations OCHA",
    "UNHCR",
    "Human Rights Watch",
    "Amnesty International",
    "Global New Light of Myanmar",
    "Xinhua",
    "Bangkok Post",
    "The Hindu",
    "Shan Herald Agency for News",
    "Kachin News Group",
    "Narinjara",
    "Khit Thit Media",
    "Myanmar Peace Monitor",
)

UNITS = (
    "people displaced",
    "civilians killed",
    "soldiers surrendered",
    "refugees crossed the border",
    "foreign nationals repatriated",
    "towns captured",
    "outposts seized",
    "airstrikes recorded",
    "trucks stranded at the border",
    "million dollars in lost trade",
    "households without electricity",
    "recruits conscripted",
)

VERBS = (
    "seized",
    "attacked",
    "shelled",
    "captured",
    "withdrew from",
    "negotiated over",
    "bombed",
    "besieged",
    "retook",
    "reinforced",
    "blockaded",
    "evacuated",
)
