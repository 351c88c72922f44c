"""English: how shops apologise, argue, make good, greet and sign off.

Patterns are regular expressions over casefolded text with one space
between words and straight apostrophes; each is matched as whole words.
"""

from __future__ import annotations

LANG = "en"

_WE = r"(?:we|i|we've|i've|we're|i'm|we are|i am|we have|i have)"

#: Saying sorry, or owning the mistake: what perceived justice rests on (seed 000).
APOLOGY = (
    r"sorry",
    r"apolog(?:y|ies|i[sz]e|i[sz]es|i[sz]ed|i[sz]ing)",
    r"(?:we|i) (?:sincerely |truly |deeply |really )?regret",
    r"regret(?:s|ted)? (?:that|the|any|this|our|how)",
    r"regrettabl[ey]",
    r"(?:my|our) (?:own )?(?:mistake|fault|error|bad|mix-up|mixup|oversight|blunder|slip-up)",
    r"(?:mistake|error|fault) (?:was|is|lies|lay) (?:entirely |completely |all )?(?:ours|on our side|"
    r"with us|mine)",
    r"(?:we|i) (?:really |truly )?(?:messed|screwed|slipped) up",
    r"(?:we|i) (?:really |clearly )?got (?:it|this|that|your order|the order) wrong",
    r"(?:we|i) (?:have |'ve )?let you down",
    r"(?:that|this|it)(?:'s| is| was) (?:entirely |completely |all )?on (?:us|me)",
    r"(?:should|shouldn't|should not|should never|ought not to) have happened",
    r"(?:dropped|drop) the ball",
    _WE + r" (?:take|accept|take full|accept full) (?:full )?responsibility",
    r"(?:please )?forgive (?:us|me)",
    r"pardon (?:us|me|the)",
    r"(?:this|that|it) (?:is|was) (?:simply |just |completely |totally )?(?:not good enough|unacceptable)"
    r"(?! (?:of|from|for) you)",
)

#: Words that look like an apology and are not one: conditional or blaming
#: ("sorry if", "sorry you feel that way"), "sorry, but", and a refusal.
NOT_APOLOGY = (
    r"sorry,? but",
    r"(?:sorry|apologi[sz]e|apologies) (?:if|in case)",
    r"(?:sorry|apologi[sz]e|apologies) (?:to hear )?(?:that )?you (?:feel|felt|think|thought|perceive|"
    r"perceived|see it)",
    r"(?:sorry|apologi[sz]e|apologies) (?:to hear )?(?:that )?you (?:are|were|'re) (?:unhappy|upset|"
    r"disappointed) "
    r"(?:with|about) (?:our|the) (?:policy|terms|rules)",
    r"(?:not|never|won't|will not|refuse to|don't|do not|didn't|did not|no need to|nothing to) "
    r"(?:\w+ ){0,2}(?:apologi[sz]e|say sorry|be sorry)",
    r"sorry (?:that )?(?:it|this|that|the \w+|our \w+) (?:felt|feels|seemed|seems|came across|comes across)",
    r"(?:are|am|'re|'m|is) not sorry",
    r"no (?:need for (?:an )?)?apolog(?:y|ies)",
    r"(?:regret|regrets) (?:to inform|that we cannot|we cannot)",
    r"won't regret",
    r"(?:you|they) (?:will|'ll) (?:not |never )?regret",
)

#: Blame, argument, lecturing and threats: what starts a public quarrel (seeds 002, 004).
DEFENSIVE = (
    r"you (?:should|could|would|might) (?:have|'ve|of) "
    r"(?:read|checked|looked|contacted|called|asked|known|noticed|seen|followed|measured|ordered|chosen|"
    r"waited|been|told|paid|opened|tested|used|kept|returned|cleaned|descaled)",
    r"you should(?:'ve| have)",
    r"if you (?:had|would have|'d) (?:\w+ ){0,2}"
    r"(?:read|checked|looked|contacted|followed|bothered|paid attention)",
    r"if you (?:had|'d) (?:just |simply |only |actually |first |properly )?\w+(?:ed|en)",
    r"had you (?:\w+ ){0,2}(?:read|checked|looked|contacted|bothered|followed)",
    r"you (?:failed|neglected|chose not|forgot|omitted) to",
    r"you (?:did not|didn't|never) (?:bother|read|check|follow|contact us|look|pay attention)",
    r"(?:as|was|is|are|were) (?:very |quite )?(?:clearly|plainly|explicitly) "
    r"(?:stated|mentioned|explained|indicated|written|described|shown|listed|visible)",
    r"clearly (?:states|stated|says|said|mentions|mentioned|shows|showed|written|visible)",
    r"(?:shown|stated|mentioned|listed|displayed|written|explained|described) (?:very |quite )?"
    r"(?:clearly|plainly|explicitly)",
    r"according to our (?:terms|t&cs?|conditions|policy|policies|records|system|logs)"
    r"(?!,? you (?:can|may|are entitled|have the right|get))",
    r"(?:as per|per) our (?:terms|policy|policies|conditions)",
    r"(?:please )?(?:read|check) our (?:terms|t&cs?|policy|conditions|faq)",
    r"(?:that|this|it|which|your review|your claim|your story)(?:'s| is| was) (?:simply |just |absolutely |"
    r"completely |totally |entirely |frankly )?(?:not true|untrue|false|a lie|lies|incorrect|nonsense|"
    r"rubbish|"
    r"not what happened|not correct|misleading|unfair|fake)",
    r"(?:simply|completely|totally|absolutely|patently) (?:untrue|false)",
    r"you(?:'re| are) (?:lying|wrong|mistaken|not telling the truth)",
    r"you (?:lie|lied)",
    r"you (?:claim|claimed|allege|alleged|state|stated) (?:that|to)",
    r"your (?:claim|allegation|accusation)s? (?:that|is|are)",
    r"your so-called|you (?:allegedly|supposedly)|(?:allegedly|supposedly) (?:broken|damaged|faulty|"
    r"missing|wrong)",
    r"(?:your|you're) own (?:fault|mistake|responsibility|doing)",
    r"(?:it|this|that) (?:is|was) your (?:fault|mistake|responsibility|problem)",
    r"(?:not|never|no) (?:our|the shop's) (?:fault|problem|responsibility|mistake|concern)",
    r"(?:we are|we're|we were) not (?:responsible|liable|to blame|at fault)",
    r"(?:cannot|can't|can not) be held (?:responsible|liable|accountable)",
    r"not (?:liable|responsible) for (?:any|the|your)",
    r"user error",
    r"with all due respect",
    r"accus(?:e|es|ed|ing) (?:us|me|our)|(?:your|this|such an?) accusations?",
    r"(?:fake|false|dishonest|malicious|untruthful) review",
    r"(?:a|our|one of our) competitors?",
    r"(?:legal action|our lawyers?|our solicitors?|defamation|slander|libel|report you|see you in court)",
    r"(?:we|i) stand by (?:our|what|the)",
    r"(?:we|i) (?:do not|don't|cannot|can't) accept (?:this|your|these|such)",
    r"(?:we|i) (?:did|do) nothing wrong|nothing wrong (?:on|with) our",
    r"obviously|frankly",
    r"(?:it|this|that) is (?:quite |rather |frankly )?(?:ridiculous|absurd|laughable)",
    r"(?:some|certain) (?:people|customers) (?:just|simply|always|never)",
    r"in fact,? you",
    r"(?:learn|try) to (?:read|use)",
)

#: A concrete remedy or action described in words (the rule ``no-remedy``).
ACTION = (
    r"refund(?:s|ed|ing)?",
    r"reimburs\w*",
    r"(?:money|payment|amount|charge|fee)s? (?:back|returned|reversed|credited|refunded|waived)",
    r"credit(?:ed)? (?:note|back|to your|your)",
    r"store credit|credited",
    r"(?:new|replacement|fresh|another|second|spare|corrected|right|correct) "
    r"(?:\w+ ){0,2}(?:is|are|was|were|has been|have been|went|left|goes|will go)? ?"
    r"(?:sent|shipped|dispatched|posted|on (?:its|their) way|out|delivered|waiting|ready)",
    r"(?:we|i)(?:'ve| have)? (?:sent|shipped|posted|dispatched|resent|re-sent|reshipped|couriered) "
    r"(?:you|out|a|an|the|it)",
    r"replac(?:e|ed|es|ing|ement|ements)",
    r"repair(?:ed|s|ing)?",
    r"(?:we|i)(?:'ve| have)? (?:fixed|corrected|changed|updated|adjusted|removed|added|rewritten|rewrote|"
    r"reprinted|retrained|cancelled|canceled|reversed|waived|paid|swapped|exchanged|collected|picked up)",
    r"(?:is|are|has been|have been|was|were) (?:now )?(?:fixed|corrected|updated|changed|cancelled|canceled|"
    r"reversed|waived|collected|repaired)",
    r"exchang(?:e|ed|ing)",
    r"voucher|discount(?: code)?|coupon|gift card|promo(?:tion)? code|goodwill",
    r"compensat\w*",
    r"return label|prepaid label|free return|courier (?:will )?(?:collect|pick)",
    r"free of charge|at no (?:extra )?cost|on us\b",
    r"in the (?:post|mail)|on (?:its|their|your) way",
)

#: How a reply opens (set aside when comparing replies for ``canned``).
GREETINGS = (
    r"dear",
    r"hi",
    r"hello",
    r"hey",
    r"hiya",
    r"good (?:morning|afternoon|evening|day)",
    r"greetings",
)

#: How a reply closes; from here to the end is a signature.
SIGNOFFS = (
    r"kind regards",
    r"best regards",
    r"warm regards",
    r"warmest regards",
    r"many regards",
    r"regards",
    r"best wishes",
    r"all the best",
    r"yours sincerely",
    r"sincerely",
    r"cheers",
    r"best,",
    r"thanks again",
    r"with thanks",
    r"the \w+ team",
    r"your \w+ team",
)

#: Words that carry no meaning of their own.
STOPWORDS = """
a about above after again against all am an and any are aren't as at be because been before being
below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down
during each few for from further had hadn't has hasn't have haven't having he he'd he'll he's her here
here's hers herself him himself his how how's i i'd i'll i'm i've if in into is isn't it it's its
itself let's me more most mustn't my myself no nor not of off on once only or other ought our ours
ourselves out over own same shan't she she'd she'll she's should shouldn't so some such than that
that's the their theirs them themselves then there there's these they they'd they'll they're they've
this those through to too under until up very was wasn't we we'd we'll we're we've were weren't what
what's when when's where where's which while who who's whom why why's with won't would wouldn't you
you'd you'll you're you've your yours yourself yourselves also just really still even get got getting
will shall may might must much many one two us let make made well yes ok okay please thank thanks
hi dear hello now today again back sure know like
"""

#: Words every reply may use whatever the case: sharing one with the review
#: says nothing about whether the reply is about this review.
GENERIC = """
experience experiences feedback review reviews reviewing order orders ordered ordering product products
service services customer customers problem problems issue issues inconvenience inconveniences trouble
contact contacting contacted email e-mail emails message messages team shop store webshop company
purchase purchases purchased buy bought time hear heard hearing sorry apologies apologise apologize
apology regret happy glad pleased unhappy disappointed disappointment frustrating frustration
satisfied satisfaction appreciate appreciated taking writing wrote write share sharing shared
valuable kind help helping helped support look looking forward soon possible best regards
understand understanding situation matter case concern concerns details information moment
point things thing way ways good great bad nice right wrong sure better improve improving improvement
future next hope hopefully let know please reach touch resolve resolved resolving solution
solve solved fix fixed investigate investigating mail phone number address account details
love loved lovely amazing awesome fantastic wonderful brilliant excellent perfect enjoy enjoyed
enjoying delighted thrilled kind words compliment compliments recommend recommended
"""

#: Function words common in English and rare in Dutch and Estonian.
MARKERS = """
the and you your our for with this that have has were are not it of to be will would
can could they them their there what which when very sorry thanks thank please
should from about after before because into only just been being does did
"""
