"""Dutch: how shops apologise, argue, make good, greet and sign off.

Formal (u, uw) and informal (je, jij, jouw) address are both written out.
Patterns are regular expressions over casefolded text with one space
between words and straight apostrophes; each is matched as whole words.
"""

from __future__ import annotations

LANG = "nl"

_YOU = r"(?:u|je|jij|jullie)"

#: Saying sorry, or owning the mistake.
APOLOGY = (
    r"sorry",
    r"excuses",
    r"excuus",
    r"excuseer|excuseren|excuseert",
    r"verontschuldig\w*",
    r"(?:het|dat|dit) (?:spijt|speet) (?:ons|me|mij)",
    r"(?:spijt|speet) (?:het )?(?:ons|me|mij)",
    r"(?:tot )?(?:onze|mijn) (?:grote )?spijt",
    r"(?:ons|onze|mijn) (?:eigen )?(?:fout|schuld|vergissing|misser|blunder)",
    r"(?:de )?fout (?:ligt |lag )?(?:helemaal |volledig )?(?:bij ons|van ons|aan onze kant|onzerzijds)",
    r"(?:ligt|lag) (?:helemaal |volledig |echt )?(?:bij|aan) ons",
    r"(?:in de fout|de mist in) (?:ge)?(?:gaan|gegaan|ging|gingen)",
    r"(?:niet|nooit) (?:had|hadden|heeft|hebben) (?:mogen|moeten) (?:gebeuren|gebeurd|voorkomen)",
    r"(?:had|hadden|heeft|hebben) (?:niet|nooit) (?:mogen|moeten) (?:gebeuren|gebeurd|voorkomen)",
    r"(?:hadden|had) (?:we|wij|ik) (?:\w+ ){0,2}beter (?:moeten|kunnen)",
    r"steken (?:laten )?(?:vallen|gevallen)",
    r"(?:wij|we|ik) (?:betreuren|betreur)",
    r"betreurenswaardig|betreurlijk",
    r"(?:wat|heel|erg|echt|ontzettend|enorm|zeer|bijzonder|super|behoorlijk) (?:\w+ )?(?:vervelend|"
    r"naar|rot|balen)"
    r"(?! dat " + _YOU + r" (?:niet|geen|eerst|zelf|nooit))",
    r"(?:vervelend|naar|rot|jammer|spijtig) om te (?:horen|lezen)",
    r"(?:dit|dat|het) is (?:echt |natuurlijk |uiteraard )?(?:niet de bedoeling|niet zoals het hoort|"
    r"onacceptabel|"
    r"niet acceptabel|niet goed genoeg)",
    r"(?:wij|we|ik) (?:nemen|neem) (?:de )?(?:volle )?verantwoordelijkheid",
    r"vergeef (?:ons|me|mij)",
    r"pardon",
)

#: Words that look like an apology and are not one.
NOT_APOLOGY = (
    r"sorry,? maar",
    r"excuses,? maar",
    r"(?:sorry|excuses|spijt \w+|verontschuldigen) (?:als|indien|mocht|mochten|wanneer)",
    r"(?:spijt|speet) (?:het )?(?:ons|me|mij) dat " + _YOU + r" (?:\w+ ){0,2}(?:zo|zou|zoudt) "
    r"(?:voelt|voelde|ervaart|ervaren|ervoer|ziet|zag|denkt|dacht|beleeft|beleefd)",
    r"(?:spijt|speet) (?:het )?(?:ons|me|mij) dat " + _YOU + r" (?:het|dit|dat) zo (?:\w+ )?"
    r"(?:ervaart|ervaren|ervoer|ziet|zag|opvat|beleeft|beleefd)",
    r"(?:geen|niet) (?:\w+ ){0,2}excuses (?:aan|aanbieden|maken)",
    r"(?:sorry|spijt \w+) (?:dat )?(?:het|dit|dat|ons antwoord|onze reactie) (?:zo )?(?:overkwam|"
    r"voelde|leek)",
    r"(?:hoeven|zullen|gaan|zijn) (?:ons |me |mij )?(?:\w+ )?niet (?:te )?(?:verontschuldigen|excuseren)",
    r"(?:geen|niet) reden (?:om|tot) (?:\w+ ){0,2}(?:excuses|verontschuldig\w*)",
    r"(?:jammer|vervelend|spijtig) dat " + _YOU + r" (?:niet|geen|eerst|zelf|nooit)",
)

#: Blame, argument, lecturing and threats ("u had moeten", "dat klopt niet").
DEFENSIVE = (
    _YOU + r" (?:had|hadden|heeft|hebt|heb) (?:\w+ ){0,4}(?:moeten|kunnen|mogen) "
    r"(?:lezen|zien|weten|bellen|controleren|melden|opletten|nakijken|letten|mailen|doorgeven|meten|kijken|"
    r"vragen|wachten|aangeven|bestellen|kiezen|openen|uitpakken|gebruiken|ontkalken|schoonmaken)",
    _YOU + r" had (?:\w+ ){0,6}moeten",
    r"had (?:u|je|jij) (?:\w+ ){0,4}(?:gelezen|gecontroleerd|gekeken|gebeld|gemaild|opgelet|gemeten|"
    r"gevraagd)",
    r"als (?:u|je|jij) (?:\w+ ){0,4}(?:had|hadden) (?:\w+ ){0,2}ge\w+(?:d|t|en)",
    r"(?:dat|dit) klopt (?:gewoon |echt |helemaal |simpelweg |absoluut |zeker )?(?:niet|niets|geen "
    r"hout)(?! dat)",
    r"klopt (?:helemaal |gewoon |echt )?(?:niets|niks|geen hout) van",
    r"(?:dat|dit|het|uw verhaal|je verhaal|deze review|deze recensie|uw review|uw recensie|je review|"
    r"je recensie) "
    r"is (?:gewoon |simpelweg |absoluut |echt |helemaal |pertinent |aantoonbaar )?"
    r"(?:niet waar|onwaar|onjuist|gelogen|een leugen|onzin|nonsens|flauwekul|niet correct|niet juist|"
    r"misleidend|leugenachtig)",
    r"(?:pertinent|aantoonbaar) (?:onjuist|onwaar|niet waar)",
    _YOU + r" (?:liegt|liegen|loog|beweert|beweerde|stelt|stelde) (?:dat|hier|nu|zomaar)",
    r"(?:uw|je|jouw) bewering",
    r"zogenaamd\w*|zogezegd\w*",
    r"volgens (?:onze )?(?:algemene |eigen )?(?:voorwaarden|leveringsvoorwaarden|retourvoorwaarden|"
    r"regels|beleid|"
    r"gegevens|administratie|systeem|track (?:&|en) trace)"
    r"(?!,? (?:heeft|hebt|mag|kunt|kan|heb) (?:u|je))",
    r"zoals (?:ook |al |duidelijk |nadrukkelijk )?(?:vermeld|aangegeven|beschreven|vermeld staat|staat|"
    r"te lezen|"
    r"geschreven) (?:\w+ ){0,3}(?:voorwaarden|website|productpagina|beschrijving|site)",
    r"(?:staat|staan|stond|stonden|werd|werden|wordt|worden) (?:ook |wel |toch |echter |namelijk |gewoon )?"
    r"(?:heel |zeer |overal )?"
    r"(?:duidelijk|nadrukkelijk|expliciet) "
    r"(?:vermeld|aangegeven|beschreven|op|in|bij|te lezen|vermeldt)",
    r"(?:uw|je|jouw) eigen (?:schuld|fout|verantwoordelijkheid|keuze)|eigen schuld",
    r"(?:is|was) (?:uw|je|jouw) (?:schuld|fout|probleem|verantwoordelijkheid)",
    r"(?:niet|nooit|geenszins) (?:onze|de) (?:schuld|fout|verantwoordelijkheid)",
    r"niet ons probleem|(?:ligt|lag) (?:echt |zeker |helemaal )?niet (?:aan|bij) ons",
    r"(?:wij|we) (?:zijn|waren) (?:hier |daar |hiervoor |daarvoor )?niet (?:verantwoordelijk|aansprakelijk)",
    r"niet aansprakelijk|aansprakelijkheid (?:af|niet)",
    r"(?:deze|uw|je|jouw|een) (?:\w+ )?(?:review|recensie|beoordeling|klacht) is (?:volkomen |totaal |"
    r"echt )?onterecht",
    r"onterechte (?:review|recensie|beoordeling|klacht|ster)",
    r"nep(?:review|recensie)|(?:nep|valse|neppe) (?:review|recensie|beoordeling)",
    r"(?:een|de|onze) concurrent\w*",
    r"advocaat|juridische stappen|smaad|laster|aangifte (?:doen|gedaan)",
    r"met alle respect",
    r"beschuldig\w*",
    r"(?:lees|leest u|lees je|leest) (?:eerst |dan |voortaan |de volgende keer )?(?:goed |zelf )?"
    r"(?:de beschrijving|de voorwaarden|onze voorwaarden|de productinformatie|de website)",
    r"(?:lees|leest u|lees je) (?:eerst |voortaan )?(?:even )?goed",
    r"welles[- ]nietes",
    r"(?:uw|jouw|je eigen) probleem",
    r"(?:wij|we) (?:hebben|heb) (?:echt |helemaal )?niets (?:fout|verkeerd) gedaan",
    r"(?:niets|niks) (?:fout|verkeerd) (?:gedaan|aan onze kant)",
    r"overigens (?:heeft|hebt|had) (?:u|je)",
    r"(?:sommige|bepaalde) (?:mensen|klanten) (?:willen|zijn|vinden) (?:ook )?(?:altijd|nooit|gewoon)",
    r"(?:dat|dit) (?:had|hadden) (?:u|je|jij) (?:zelf )?(?:kunnen|moeten) (?:weten|zien|lezen)",
)

#: A concrete remedy or action described in words.
ACTION = (
    r"terugbeta\w*|terug(?:ge)?stort\w*|terugstorting|(?:geld|bedrag|aankoopbedrag) (?:\w+ )?(?:terug|retour|"
    r"teruggestort|terugbetaald)",
    r"creditnota|gecrediteerd|crediteren",
    r"vervang\w*",
    r"(?:nieuwe?|ander|andere|juiste|goede|tweede|vervangende|verse) (?:\w+ ){0,2}"
    r"(?:verstuurd|gestuurd|opgestuurd|verzonden|onderweg|nagestuurd|klaar|bezorgd|afgeleverd|meegegeven)",
    r"(?:verstuurd|verzonden|nagestuurd|nagezonden|opnieuw verzonden|opnieuw gestuurd)",
    r"(?:wij|we|ik) (?:\w+ ){0,2}(?:sturen|stuur|versturen|verstuur|zenden|verzenden|leveren) (?:\w+ ){0,3}"
    r"(?:nieuwe?|ander|andere|juiste|vervangende|verse|kosteloos|gratis)",
    r"reparat\w*|gerepareerd|repareren|repareer\w*|hersteld|herstellen|herstel",
    r"omgeruild|omruil\w*|geruild|ruilen|ruil",
    r"tegoedbon|waardebon|cadeaubon|kortingscode|korting|tegoed",
    r"vergoed\w*|compensat\w*|schadevergoeding",
    r"aangepast|gecorrigeerd|geannuleerd|opgehaald|kwijtgescholden|teruggedraaid|veranderd|vervangen",
    r"retourlabel|ophaalopdracht|(?:laten|komen) ophalen|gratis retour",
    r"kosteloos|gratis|zonder kosten|voor onze rekening",
    r"goedmakert\w*|als pleister|presentje|extraatje",
)

#: How a reply opens.
GREETINGS = (
    r"beste",
    r"geachte",
    r"hallo",
    r"hoi",
    r"hey",
    r"hee",
    r"dag",
    r"lieve",
    r"goedemorgen",
    r"goedemiddag",
    r"goedenavond",
    r"goedendag",
    r"hi",
)

#: How a reply closes.
SIGNOFFS = (
    r"met vriendelijke groet(?:en)?",
    r"vriendelijke groet(?:en)?",
    r"hartelijke groet(?:en)?",
    r"met hartelijke groet(?:en)?",
    r"(?:lieve |zonnige |koffie)?groet(?:en|jes)",
    r"mvg",
    r"liefs",
    r"tot ziens",
    r"nogmaals (?:dank|bedankt)",
    r"het team van \w+",
    r"team \w+",
    r"namens (?:het )?(?:hele )?team",
)

STOPWORDS = """
aan af al alles als altijd andere ben bij daar daarna daarom dan dat de der deze die dit doch doen door
dus een eens en er ge geen geweest haar had heb hebben hebt heeft hem het hier hij hoe hun iemand iets
ik in is ja je jij jou jouw jullie kan kon kunnen kunt maar me meer men met mij mijn moet moeten na naar
niet niets nog nu of om omdat ons onze ook op over reeds te tegen toch toen tot u uit uw van veel voor
want waren was wat we wel werd wezen wie wij wil worden wordt zal ze zei zelf zich zij zijn zo zonder
zou zouden even echt heel erg graag hoor natuurlijk gewoon helemaal eigenlijk nou dus weer waar wanneer
hallo beste dank bedankt groet groeten hartelijk vriendelijk alvast jij jullie hen hun daarvoor hiervoor
waardoor waarbij waarvan daarbij hierbij zeker zeer vandaag morgen gisteren
"""

GENERIC = """
ervaring ervaringen feedback review reviews recensie recensies beoordeling beoordelingen bestelling
bestellingen besteld bestellen product producten service klantenservice klant klanten probleem problemen
klacht klachten ongemak ongemakken contact contacteren mail e-mail emails bericht berichten team winkel
webshop webwinkel bedrijf aankoop aankopen gekocht kopen tijd horen lezen gelezen sorry excuses
vervelend jammer spijt blij fijn tevreden ontevreden teleurgesteld teleurstelling frustratie
waarderen waardering schrijven geschreven delen gedeeld help helpen geholpen ondersteuning hopen
hopelijk laten weten bereiken oplossing oplossen opgelost situatie zaak kwestie details informatie
moment punt punten dingen ding manier goed goede slecht mooi beter verbeteren verbetering toekomst
volgende graag neem nemen opnemen wij gegevens telefoon telefoonnummer adres nummer
leuk leuke fijn fijne mooi mooie top geweldig geweldige super lekker lekkere heerlijk genieten geniet
plezier dankjewel dankuwel bedankt compliment complimenten
"""

#: Function words common in Dutch and rare in English and Estonian.
MARKERS = """
de het een en van dat die niet ook voor met zijn heeft hebben wij ons onze uw je jouw maar nog
naar bij dan wel als graag dank bedankt excuses
"""
