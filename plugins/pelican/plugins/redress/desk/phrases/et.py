"""Estonian: how shops apologise, argue, make good, greet and sign off.

Estonian inflects heavily (vabandame, vabandust, vabandused; süü, süüd),
so most patterns end in ``\\w*`` on a stem; formal (te, teie, Teile) and
informal (sa, sina, sulle) address are both written out. Patterns are
regular expressions over casefolded text with one space between words;
each is matched as whole words.
"""

from __future__ import annotations

LANG = "et"

_YOU = r"(?:te|teie|sa|sina|teil|sul|teile|sulle)"

#: Saying sorry, or owning the mistake.
APOLOGY = (
    r"vaband\w*",
    r"(?:palun |paluma )?andeks\w*|andestust",
    r"(?:meil|mul) on (?:\w+ ){0,2}kahju",
    r"kahju,? (?:\w+ )?(?:kuulda|lugeda|et)",
    r"(?:väga|nii|tõesti|äärmiselt|kohutavalt) kahju",
    r"kahets\w*",
    r"(?:meie|minu|meiepoolne|meiepoolse|meie poolne|meie poolse|minu poolne) "
    r"(?:viga|vea|veaga|süü|süüd|eksimus\w*|apsak\w*|möödalask\w*|praak\w*)",
    r"(?:viga|süü|eksimus) (?:on |oli |jäi )?(?:täielikult |kindlasti |ainult )?(?:meie|minu|meie poolt)",
    r"eksisime|eksisin|tegime (?:\w+ )?vea|tegin (?:\w+ )?vea|läks meil (?:\w+ )?valesti|ajasime "
    r"(?:\w+ )?sassi",
    r"(?:ei|poleks|pole) (?:oleks )?(?:tohtinud|pidanud) (?:\w+ )?juhtu(?:ma|da)",
    r"(?:võtame|võtan|võtsime) (?:\w+ )?vastutuse",
    r"vastutus on (?:täielikult )?(?:meie|minu)",
    r"(?:see|nii) (?:ei ole|pole) (?:kindlasti |üldse )?(?:see|nii),? (?:mida|kuidas) (?:me|meie)",
    r"(?:see|nii) (?:ei ole|pole) (?:kindlasti |üldse )?(?:vastuvõetav|okei|korras|meie tase)",
    r"(?:lasksime|lasime) (?:teil|sul|teid|sind) (?:\w+ )?alt",
)

#: Words that look like an apology and are not one.
NOT_APOLOGY = (
    r"(?:vaband\w*|kahju),? (?:aga|kuid|ent)",
    r"vaband\w*(?: \w+){0,2},? (?:kui|juhul kui|juhul)",
    r"kahju,? (?:et|kui) " + _YOU + r" (?:\w+ ){0,2}(?:nii|niimoodi|selliselt|sedasi) "
    r"(?:arvate|arvad|tunnete|tunned|tundsite|tundsid|näete|näed|tõlgendate|tõlgendad|koged|kogesite)",
    r"(?:ei|pole|mitte|me ei|meil pole|ei pea|pole vaja) (?:\w+ ){0,2}vaband\w*",
    r"(?:pole|ei ole) (?:\w+ )?põhjust (?:\w+ ){0,2}vaband\w*",
    r"(?:pole|ei ole) (?:\w+ )?mingi vabandus",
)

#: Blame, argument, lecturing and threats.
DEFENSIVE = (
    r"(?:te|sa|teie|sina) (?:\w+ ){0,2}oleksi(?:te|d) (?:\w+ ){0,3}(?:pidanud|võinud|saanud)",
    r"oleksi(?:te|d) (?:\w+ ){0,2}(?:pidanud|võinud) (?:\w+ ){0,2}"
    r"(?:luge|vaada|kontrolli|helista|kirjuta|mõõt|küsi|oota|teata|märga|avada|pakki|katsu)\w*",
    r"kui (?:te|sa|teie|sina) (?:\w+ ){0,2}oleksi(?:te|d) (?:\w+ ){0,3}\w+(?:nud|tud)",
    r"(?:see|need|seal|väide|väited|teie väide|sinu väide|arvustus|kirjeldus|jutt) "
    r"(?:\w+ )?(?:ei vasta|ei vastanud|pole vastanud) (?:\w+ )?tõele",
    r"ei vasta (?:\w+ )?tõele|tõele mittevastav\w*",
    r"(?:see|need|see väide|teie jutt|sinu jutt) (?:pole|ei ole) (?:\w+ )?(?:tõsi|õige|nii)",
    r"(?:pole|ei ole) (?:üldse |lihtsalt |kindlasti )?tõsi",
    r"valeta\w*|valeinfo\w*|luiska\w*",
    r"(?:te|sa|teie|sina) (?:\w+ )?(?:väidate|väidad|väitsite|väitsid)",
    r"väidetava\w*",
    r"(?:meie |müügi|kasutus|tarne|garantii)?tingimus\w* (?:järgi|kohaselt|alusel)(?! on (?:teil|sul) õigus)",
    r"vastavalt (?:meie )?(?:müügi|kasutus|tarne|garantii|tagastus)?tingimus\w*(?! on (?:teil|sul) õigus)",
    r"(?:meie )?(?:andmete|süsteemi|andmebaasi) (?:järgi|kohaselt)",
    r"(?:on |oli |olid )?(?:väga |täiesti )?selgelt (?:kirjas|kirjutatud|öeldud|märgitud|välja toodud|näha|"
    r"kirjeldatud|kirjeldus\w*|mainitud)",
    r"(?:teie|sinu|teie enda|sinu enda|enda|omaenda|teie oma|sinu oma) (?:süü|süüd|viga|vea|probleem)"
    r"(?!(?: \w+){0,2} (?:ei olnud|polnud|pole|ei ole))",
    r"(?:pole|ei ole|see pole|see ei ole|see ei olnud|see polnud) (?:\w+ )?"
    r"(?:meie|poe|firma) (?:süü|viga|probleem|vastutus|mure)",
    r"(?:me|meie) ei (?:\w+ )?(?:vastuta|saa vastutada|võta vastutust)|ei vastuta",
    r"(?:võlts|libe|vale|väljamõeldud)(?:-| )?arvustus\w*|konkurent\w*",
    r"advokaa\w*|kohtu\w*|laim\w*|politseisse",
    r"kogu (?:lugupidamise|austuse)ga",
    r"süüdista\w*",
    r"(?:lugege|loe|lugeda) (?:\w+ ){0,2}(?:tingimusi|tingimused|kirjeldust|hoolikalt|tähelepanelikult|enne)",
    r"(?:me|meie) (?:pole|ei ole|ei) (?:\w+ )?(?:midagi )?valesti (?:teinud|teind)",
    r"meie poolt (?:pole|ei ole|polnud) (?:\w+ )?(?:midagi )?valesti",
    r"(?:mõned|osad|teatud) (?:inimesed|kliendid) (?:lihtsalt|alati|kunagi)",
    r"(?:see|nii) on (?:lihtsalt |täiesti )?(?:naeruväärne|absurdne|ebaõiglane)",
)

#: A concrete remedy or action described in words.
ACTION = (
    r"raha (?:\w+ ){0,2}(?:tagastatud|tagastasime|tagastame|tagasi|kantud|kanname|kandsime|laekub)",
    r"tagasimaks\w*|tagastasime|tagastame|tagastatud|kandsime (?:\w+ ){0,2}tagasi|kanname (?:\w+ "
    r"){0,2}tagasi",
    r"hüvit\w*|kompens\w*",
    r"asenda\w*|asendus\w*",
    r"(?:uus|uue|teine|teise|õige|õiged|õige toote|värske|asendus)\w* (?:\w+ ){0,2}"
    r"(?:on teel|teele|saadetud|välja|saadeti|saadame|saatsime|postitatud|kohal)",
    r"saatsime|saatsin|saadame|saadan|saadetud|saadeti|postitasime|toimetasime|teele panime|panime teele",
    r"parandasime|parandasin|parandatud|parandatakse|parandusse|parandustöö\w*|remont\w*|remondi\w*",
    r"vahetasime|vahetame|vahetus\w*|ümbervahet\w*",
    r"soodus\w*|allahindl\w*|kinkekaar\w*|kupong\w*|krediit\w*|boonus\w*",
    r"tühistasime|tühistatud|tühistame|korrigeerisime|muutsime|uuendasime|lisasime|eemaldasime|parandasime",
    r"tasuta|meie kulul|meie kulu(?:ga)?|tagastussilt\w*|kuller (?:\w+ )?(?:tuleb|toob|viib|võtab)",
)

#: How a reply opens.
GREETINGS = (
    r"tere",
    r"tervist",
    r"hea",
    r"head",
    r"lugupeetud",
    r"kallis",
    r"hei",
    r"hommikust",
    r"päevast",
    r"õhtust",
)

#: How a reply closes.
SIGNOFFS = (
    r"lugupidamisega",
    r"parimate soovidega",
    r"parimat",
    r"heade soovidega",
    r"tervitades",
    r"tervitustega",
    r"kõike head",
    r"ilusat päeva",
    r"veelkord aitäh",
    r"veel kord aitäh",
    r"\w+ meeskond",
    r"\w+ tiim",
)

STOPWORDS = """
aga ei ja jah ka kas kes kui kuid kus mida mis mitte muidugi nad nagu need neid nii nüüd oled olen
oleme olete oli olid olin olime olite olla on ongi oma pole sa saab see seda sel selle sest siin siis
sind sinu sina sul sulle ta te teda teie teid teil teile temaga tema sellega väga veel vä või üle
mu mul mulle meie meid meil meile me meiega teiega sinuga oleks oleksime oleksite poleks olnud ole
kuidas miks millal siia sinna seal kõik kõike ikka juba alles ainult isegi palun aitäh tänan täname
tere hea lugupeetud tänu kindlasti lihtsalt samuti seega ehk nagu pärast enne kuni täna homme eile
eest poolt jaoks kohta vastu juurde juures läbi ilma koos kaudu järel asemel tõttu mööda peale alla
sisse välja ära tagasi juba nii veel
"""

GENERIC = """
kogemus kogemuse kogemust tagasiside arvustus arvustuse arvustust hinnang hinnangu tellimus tellimuse
tellimust tellisite tellisid toode toote tooted tooteid teenus teenindus klienditeenindus klient kliendi
kliendid probleem probleemi probleemid mure mured ebamugavus ebamugavuste ebamugavust kontakt ühendust
e-kiri e-posti kiri kirja sõnum sõnumi meeskond pood poe e-pood ettevõte ost ostu ostsite aeg aega
kuulda lugeda vabandame vabandust kahju rõõm rõõmu rõõmus rahul rahulolu pettunud pettumus
hindame hindan kirjutamast kirjutasite jagamast jagasite abi aidata aitame mõista mõistame olukord
olukorra juhtum info infot teave hetk asi asja asjad viis hästi halb parem parandada tulevik
tulevikus järgmine loodame lahendus lahenduse lahendust lahendada lahendame võtke võtame andke
kiri telefon telefoninumber aadress number andmed
tore toredad vahva super suurepärane imeline meeldib meeldis meeldiv rõõmustab kiitus kiidusõnad
soovitame soovitan nautige nautida head
"""

#: Function words common in Estonian and rare in English and Dutch.
MARKERS = """
ja et ei oli kui ka aga väga teie teile teid teil sulle sinu meie meile meil mul oma seda
palun aitäh täname vabandame kahju kuid veel juba
"""
