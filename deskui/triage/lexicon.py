"""The multilingual triage lexicon.

How a term matches
------------------
* Terms are compared in :func:`deskui.triage.normalize.normalize` form: case, accents,
  punctuation, apostrophes, dashes and umlaut spellings do not matter ("a-to-z" == "A‑to‑Z" ==
  "a to z"; "beschädigt" == "beschaedigt" == "beschadigt"; "j'ai reçu" == "j ai recu").
  Write terms the natural way, with their accents.
* A term matches whole words: "claim" does not match inside "reclaim" or "exclaim".
* A trailing ``*`` makes the last word a prefix: "endommag*" matches "endommagé",
  "endommagée", "endommagés"; "claim*" matches "claims", "claimed". The match still has to
  start at the beginning of a word. ``*`` is only allowed at the end.
* A phrase matches its words in order with any punctuation/spaces between them.
* At one position the longest term wins, so a phrase can refine a word: "litige avec ma
  banque" is a chargeback although "litige*" alone is an A-to-z claim threat, and
  "missing parcel" is ``not_received`` rather than ``missing_item``.

``STOP_PHRASES`` are matched like terms but report nothing: they stop a shorter term from
firing inside a harmless idiom ("in return for", "c'est dommage", "par défaut").

``NEGATIONS`` / ``NEGATABLE``: a hit of a category in ``NEGATABLE`` is dropped when a negation
of the term's language (English negations count for every language) stands right before it
-- at most two words between, none of them a ``CLAUSE_BREAKERS`` word, no clause punctuation
in between. Claim threats and chargebacks are never dropped: "I don't want to open an A-to-z
claim" is still a claim threat. Terms that contain a negation themselves ("not what I
ordered", "ne fonctionne pas") are never dropped either.
"""

from __future__ import annotations

__all__ = [
    "CATEGORIES",
    "CLAUSE_BREAKERS",
    "LANGUAGES",
    "LEXICON",
    "NEGATABLE",
    "NEGATIONS",
    "STOP_PHRASES",
]

LANGUAGES: tuple[str, ...] = ("en", "fr", "de", "es", "it")

# Most severe first.
CATEGORIES: tuple[str, ...] = (
    "atoz_claim",
    "chargeback",
    "damaged",
    "missing_item",
    "wrong_item",
    "defective",
    "not_received",
    "tracking",
    "return",
    "refund",
    "exchange",
    "cancellation",
    "invoice",
    "feedback",
    "product_question",
)

LEXICON: dict[str, dict[str, list[str]]] = {
    # An A-to-z Guarantee claim, a claim notice, or a threat to open one / to involve Amazon.
    "atoz_claim": {
        "en": [
            "a-to-z", "a-to-z*", "atoz*", "a2z*", "a-2-z", "a-z guarantee*", "a-z claim*",
            "a-z garantee", "az guarantee*", "az claim*", "a to z guarantee*", "a to z claim*",
            "claim*", "guarantee claim*", "amazon guarantee", "amazon claim*",
            "open a case", "opening a case", "file a case", "open a case with amazon",
            "report you to amazon", "report this to amazon", "report it to amazon",
            "report to amazon", "reporting you to amazon", "contact amazon", "contacting amazon",
            "call amazon", "tell amazon", "complain to amazon", "complaint to amazon",
            "complaining to amazon", "get amazon involved", "involve amazon", "let amazon know",
            "amazon will refund", "amazon to refund", "dispute with amazon", "amazon dispute",
            "escalate*", "escalating", "escalation",
        ],
        "fr": [
            "a-to-z", "de a à z", "a à z", "garantie a à z", "garantie de a à z",
            "garantie a-z", "garantie az", "garantie a to z", "réclamation a-z",
            "réclamation*", "reclam*", "réclamer", "je vais réclamer",
            "litige*", "ouvrir un litige", "ouvrir une réclamation", "ouvrir un dossier",
            "ouvrir un dossier auprès d'amazon", "signaler à amazon", "signaler a amazon",
            "contacter amazon", "je vais contacter amazon", "prévenir amazon", "alerter amazon",
            "plainte auprès d'amazon", "plainte à amazon", "me plaindre à amazon",
            "me plaindre auprès d'amazon", "garantie amazon", "saisir amazon",
            "faire intervenir amazon", "escalader",
        ],
        "de": [
            "a-bis-z", "a bis z", "a-z-garantie", "a-z garantie", "az garantie", "az-garantie",
            "garantie a bis z", "garantie a-z", "a-z-antrag", "a-z-anspruch", "a bis z anspruch",
            "a-to-z", "atoz*", "antrag stellen", "antrag gestellt", "einen antrag",
            "garantieantrag", "garantie-antrag", "amazon einschalten", "amazon eingeschaltet",
            "amazon informieren", "bei amazon melden", "an amazon melden", "amazon melden",
            "bei amazon beschweren", "beschwerde bei amazon", "amazon kontaktieren",
            "amazon kontaktiert", "amazon-garantie", "fall eröffnen", "fall bei amazon",
            "streitfall", "eskalieren", "eskalation",
        ],
        "es": [
            "a-to-z", "de la a a la z", "garantía de la a a la z", "garantia a-z",
            "garantía az", "garantía a a z", "reclamación a-z", "reclam*", "reclamación*",
            "abrir una reclamación", "abrir un reclamo", "abrir un caso", "disputa con amazon",
            "disputa en amazon", "contactar con amazon", "contactaré con amazon",
            "contactar a amazon", "avisar a amazon", "avisaré a amazon", "queja a amazon",
            "queja en amazon", "quejarme a amazon", "garantía de amazon", "escalar el caso",
        ],
        "it": [
            "a-to-z", "dalla a alla z", "garanzia dalla a alla z", "garanzia a-z",
            "garanzia az", "garanzia a z", "reclamo a-z", "reclam*", "aprire un reclamo",
            "apro un reclamo", "aprirò un reclamo", "aprire un caso", "aprirò una pratica",
            "segnalare ad amazon", "segnalerò ad amazon", "segnalazione ad amazon",
            "contattare amazon", "contatterò amazon", "lamentela ad amazon",
            "garanzia amazon", "garanzia di amazon",
        ],
    },
    # A chargeback, a bank/card dispute or a PayPal dispute.
    "chargeback": {
        "en": [
            "chargeback*", "charge back", "charge-back", "charged back", "charging back",
            "chargeback claim*", "bank dispute", "disput*", "paypal claim*", "paypal case",
            "paypal dispute", "credit card dispute", "card dispute", "card issuer",
            "my bank", "contact my bank", "call my bank", "calling my bank",
            "credit card company", "card company", "reverse the charge*", "reverse the payment",
            "reversed the payment", "payment reversal", "unauthorized charge*",
            "unauthorised charge*", "unauthorized transaction*", "unauthorised transaction*",
            "fraudulent charge*", "fraudulent transaction*", "stop payment", "contest the charge*",
            "contest the payment", "contest the transaction", "contesting the charge*",
            "contested the charge*", "contest it with my bank",
        ],
        "fr": [
            "rétrofacturation", "rétro-facturation", "chargeback", "contester le paiement",
            "contester la transaction", "contester le prélèvement", "contester le débit",
            "contester l'achat", "contester*", "conteste", "contestation*", "litige paypal",
            "litige sur paypal", "litige via paypal", "litige bancaire", "litige avec ma banque",
            "litige auprès de ma banque", "ma banque", "contacter ma banque", "faire opposition",
            "fais opposition", "opposition bancaire", "opposition sur ma carte",
            "paiement frauduleux", "prélèvement frauduleux", "transaction non autorisée",
            "débit non autorisé", "rejet de paiement",
        ],
        "de": [
            "rückbuchung*", "rückbuchen", "zurückbuchen", "zurückbuchung", "zurückgebucht",
            "rücklastschrift*", "lastschrift zurück*", "lastschrift widerrufen", "chargeback",
            "paypal-konflikt", "paypal konflikt", "paypal-fall", "paypal-käuferschutz",
            "käuferschutz", "meine bank", "meiner bank", "bei meiner bank", "bank einschalten",
            "bank kontaktieren", "kreditkartenfirma", "kreditkartenunternehmen",
            "kreditkarteninstitut", "zahlung zurückholen", "zahlung zurückfordern",
            "nicht autorisierte zahlung", "nicht autorisierte abbuchung", "widerspruch*",
            "widersprochen", "zahlung widersprechen", "lastschrift widersprechen",
        ],
        "es": [
            "contracargo*", "retrocargo*", "chargeback", "disputa*", "devolución del cargo",
            "anular el cargo", "anular el pago", "mi banco", "contactar con mi banco",
            "reclamar al banco", "reclamar a mi banco", "reclamación al banco",
            "reclamo en paypal", "reclamación en paypal", "cargo no autorizado",
            "cargo fraudulento", "compra no autorizada",
        ],
        "it": [
            "chargeback", "riaddebito", "storno dell'addebito", "storno addebito",
            "storno bancario", "storno sulla carta", "stornare l'addebito", "stornare il pagamento",
            "contestazione*", "contestare*", "contesterò", "contesto l'addebito",
            "contesto il pagamento", "contesto l'acquisto", "ho contestato", "controversia*",
            "disconoscimento*", "disconoscere il pagamento", "la mia banca", "alla banca",
            "contattare la banca", "addebito non autorizzato", "pagamento non autorizzato",
            "reclamo paypal", "reclamo su paypal",
        ],
    },
    "damaged": {
        "en": [
            "damage*", "damged", "dammaged", "demaged", "damadged", "broken", "broke", "brocken",
            "borken", "brokn", "smashed", "shattered", "cracked", "cracks", "crack", "crushed",
            "squashed", "squished", "dented", "dent", "dents", "scratched", "scratches",
            "scratch", "scuffed", "torn", "ripped", "bent", "chipped", "leaking", "leaked",
            "leaks", "leak", "spilled", "spilt", "destroyed", "ruined", "in pieces",
            "fell apart", "falling apart", "not intact", "water damaged", "wet", "soaked",
            "mangled", "busted", "bashed", "crumpled", "punctured", "snapped", "smashed up",
        ],
        "fr": [
            "endommag*", "endomag*", "abîm*", "cassé", "cassée", "cassés", "cassées", "casse",
            "brisé", "brisée", "brisés", "brisées", "écras*", "fissur*", "fêlé*", "rayé", "rayée",
            "rayés", "rayées", "rayure*", "déchiré*", "tordu*", "cabossé*", "bosselé*",
            "en morceaux", "en mille morceaux", "détérioré*", "dégât*", "dommage*", "abimé",
            "mouillé*", "trempé*", "fuite", "fuit", "éclaté*", "défoncé*", "explosé*",
            "en miettes", "pulvérisé*", "ébréché*",
        ],
        "de": [
            "beschädigt*", "beschädigung*", "schaden", "schäden", "transportschaden*",
            "transportschäden", "versandschaden*", "lieferschaden*", "kaputt*", "kaput",
            "zerbrochen*", "gebrochen", "zerkratzt*", "verkratzt*", "kratzer*", "zerdrückt*",
            "eingedrückt*", "gesprungen", "gerissen", "zerrissen*", "riss", "risse", "delle*",
            "verbogen*", "zersplittert*", "zerstört*", "nass", "durchnässt", "ausgelaufen",
            "undicht", "scherben", "in stücken", "zerquetscht*", "eingerissen", "demoliert*",
            "ramponiert*", "zerschlagen*",
        ],
        "es": [
            "dañad*", "daño", "daños", "roto", "rota", "rotos", "rotas", "rompió", "se rompió",
            "rompieron", "estropead*", "quebrad*", "golpead*", "abollad*", "abolladura*",
            "rayad*", "arañad*", "agrietad*", "grieta*", "rajad*", "aplastad*", "destrozad*",
            "deteriorad*", "mojad*", "en mal estado", "hecho pedazos", "hecha pedazos",
            "en pedazos", "derramad*", "rasgad*", "doblad*", "hecho polvo", "hecho añicos",
        ],
        "it": [
            "danneggiat*", "danneggiament*", "danno", "danni", "rotto", "rotta", "rotti", "rotte",
            "rottura", "spaccat*", "crepat*", "crepa", "incrinat*", "graffiat*", "graffi",
            "graffio", "ammaccat*", "schiacciat*", "distrutt*", "rovinat*", "frantumat*",
            "in pezzi", "a pezzi", "bagnat*", "strappat*", "piegat*", "sfasciat*",
            "deteriorat*", "in cattivo stato", "in pessimo stato", "scheggiat*", "perde liquido",
        ],
    },
    "missing_item": {
        "en": [
            "missing", "misssing", "mising", "missin", "missing item*", "missing part*",
            "missing piece*", "not in the box", "not in the package", "wasn't in the package",
            "wasn't in the box", "was not in the box", "was not in the package", "not included",
            "wasn't included", "weren't included", "only received one", "only got one",
            "only received 1", "only got 1", "only received part", "only received half",
            "incomplete", "half the order", "empty box", "empty package", "empty parcel",
            "box was empty", "package was empty", "parcel was empty", "arrived empty",
            "forgot to include", "forgot to send", "didn't include", "did not include",
            "short shipped", "short-shipped", "part of my order", "rest of my order",
            "rest of the order", "other items",
        ],
        "fr": [
            "manquant*", "manque", "il manque", "il me manque", "il en manque", "manquait",
            "manquent", "manquaient", "pas dans le colis", "pas dans le carton",
            "pas dans la boîte", "pas inclus", "pas incluse", "non inclus", "non incluse",
            "colis vide", "boîte vide", "carton vide", "paquet vide", "incomplet*",
            "oublié de mettre", "oubli de", "pièce absente", "article absent",
            "qu'une partie", "reste de ma commande", "reste de la commande",
        ],
        "de": [
            "fehlt", "fehlen", "fehlend*", "fehlte", "fehlten", "es fehlt", "nicht im paket",
            "nicht im karton", "nicht in der packung", "nicht enthalten", "nicht dabei",
            "nicht beigelegt", "unvollständig*", "leeres paket", "leerer karton",
            "paket war leer", "karton war leer", "packung war leer", "nur ein teil",
            "nur teilweise", "teillieferung", "rest der bestellung", "rest meiner bestellung",
        ],
        "es": [
            "falta", "faltan", "faltaba", "faltaban", "faltante*", "me falta", "me faltan",
            "no venía", "no venia", "no viene", "no estaba en la caja", "no estaba en el paquete",
            "no venía en la caja", "no incluía", "incomplet*", "caja vacía", "paquete vacío",
            "vino vacío", "llegó vacío", "resto del pedido", "resto de mi pedido",
        ],
        "it": [
            "manca", "mancano", "mancava", "mancavano", "mancante", "mancanti", "non c'era",
            "non c'erano", "non era nel pacco", "non era nella scatola", "non incluso",
            "non inclusa", "non presente", "incomplet*", "scatola vuota", "pacco vuoto",
            "confezione vuota", "arrivato vuoto", "resto dell'ordine",
        ],
    },
    # The wrong product, or one that is not what was ordered/described (incl. counterfeit/used).
    "wrong_item": {
        "en": [
            "wrong item*", "wrong product*", "wrong size", "wrong colour", "wrong color",
            "wrong model", "wrong order", "wrong thing", "wrong book", "wrong part",
            "wrong version", "wrong variant", "wrong style", "wrong type", "wrong quantity",
            "wrong article", "wrong one sent", "sent me the wrong", "sent the wrong",
            "received the wrong", "got the wrong", "delivered the wrong", "shipped the wrong",
            "sent me a different", "sent a different", "received a different",
            "got a different", "delivered a different", "not what i ordered",
            "isn't what i ordered", "not what i ordred", "not the one i ordered",
            "not the item i ordered", "not the product i ordered", "not the right",
            "different item", "different product", "incorrect item*", "incorrect product*",
            "incorrect size", "incorrect colour", "incorrect color", "mix up", "mix-up",
            "mixup", "mixed up", "mislabeled", "mislabelled", "not as described",
            "not as pictured", "not as advertised", "not as shown", "counterfeit", "fake",
            "knock off", "knockoff", "not genuine", "not original", "not authentic",
            "used item", "used product", "second hand", "already used", "been used",
            "previously used", "opened before",
        ],
        "fr": [
            "mauvais article", "mauvais produit", "mauvaise taille", "mauvaise couleur",
            "mauvais modèle", "mauvaise référence", "mauvaise commande", "mauvais colis",
            "mauvaise pointure", "mauvais coloris", "pas le bon", "pas la bonne", "pas les bons",
            "pas ce que j'ai commandé", "pas celui que j'ai commandé", "pas celle que j'ai commandée",
            "pas celui commandé", "pas conforme", "non conforme*", "article différent",
            "produit différent", "erreur de commande", "erreur d'article", "erreur de produit",
            "erreur de taille", "erreur de couleur", "reçu un autre", "au lieu de",
            "ne correspond pas à la description", "ne correspond pas à ma commande",
            "ne correspond pas à l'annonce", "ne correspond pas à la photo",
            "ne correspond pas à ce que j'ai commandé", "contrefaçon", "faux produit",
            "pas d'origine", "pas authentique", "déjà utilisé", "article utilisé",
            "d'occasion", "déjà ouvert",
        ],
        "de": [
            "falsch*", "falscher artikel", "falsches produkt", "anderer artikel",
            "anderes produkt", "nicht das was ich bestellt", "nicht das, was ich bestellt habe",
            "nicht bestellt", "nicht der bestellte", "nicht die bestellte", "nicht das bestellte",
            "verwechselt", "vertauscht", "stimmt nicht überein", "entspricht nicht der beschreibung",
            "entspricht nicht der bestellung", "entspricht nicht dem bild",
            "nicht wie beschrieben", "nicht wie abgebildet", "fälschung", "gefälscht",
            "plagiat", "nicht original", "gebrauchte ware", "gebrauchter artikel", "bereits benutzt",
            "schon benutzt",
            "schon geöffnet",
        ],
        "es": [
            "artículo equivocado", "equivocad*", "producto incorrecto", "incorrect*",
            "no es lo que pedí", "no es lo que he pedido", "no es lo que compré",
            "no es lo que encargué", "no es el que pedí", "no es la que pedí", "no es el correcto",
            "no es la correcta", "no corresponde con la descripción",
            "no corresponde con lo que pedí", "no coincide con la descripción",
            "no coincide con el pedido", "otro producto", "otro artículo", "producto diferente",
            "artículo diferente", "producto distinto", "artículo distinto", "me enviaron otro",
            "me han enviado otro", "me llegó otro", "me mandaron otro", "falsificad*",
            "falso", "no es original", "ya usado", "producto usado", "artículo usado",
            "de segunda mano",
        ],
        "it": [
            "articolo sbagliato", "sbagliat*", "prodotto errato", "errat*",
            "non è quello che ho ordinato", "non è quello ordinato", "non è quello che ho comprato",
            "diverso da quello ordinato", "prodotto diverso", "articolo diverso", "altro prodotto",
            "altro articolo", "non corrisponde alla descrizione", "non corrisponde all'ordine",
            "non corrisponde a quanto ordinato", "non conforme", "scambiat*", "contraffatt*",
            "falso", "non originale", "già usato", "prodotto usato", "articolo usato", "già aperto",
        ],
    },
    "defective": {
        "en": [
            "defective", "defect*", "faulty", "malfunction*", "doesn't work",
            "does not work", "dont work", "don't work", "didn't work", "did not work",
            "not working", "isn't working", "stopped working", "quit working", "stop working",
            "won't turn on", "will not turn on", "doesn't turn on", "does not turn on",
            "won't switch on", "won't power on", "won't charge", "doesn't charge",
            "not charging", "won't start", "doesn't start", "dead on arrival", "doa", "dead",
            "no power", "not powering on", "keeps crashing", "glitch*", "buggy",
            "poor quality", "bad quality", "low quality", "cheap quality", "cheaply made",
            "useless", "junk", "rubbish", "garbage", "not functioning", "fails to",
            "stopped charging", "overheat*", "short circuit*",
        ],
        "fr": [
            "défectueu*", "défaut*", "défaillant*", "ne fonctionne pas", "fonctionne pas",
            "ne fonctionne plus", "fonctionne plus", "ne marche pas", "marche pas",
            "ne marche plus", "marche plus", "ne s'allume pas", "s'allume pas",
            "ne s'allume plus", "s'allume plus", "ne charge pas", "ne se charge pas",
            "ne démarre pas", "en panne", "panne", "hors service", "hors d'usage",
            "dysfonctionn*", "bug", "bugs", "buggé", "mauvaise qualité", "qualité médiocre",
            "a cessé de fonctionner", "arrêté de fonctionner", "inutilisable", "surchauffe",
            "court-circuit",
        ],
        "de": [
            "defekt*", "funktioniert nicht", "funktioniert nicht mehr", "funktioniert gar nicht",
            "funktioniert leider nicht", "funktioniert überhaupt nicht", "nicht funktioniert",
            "nicht mehr funktioniert", "nicht richtig funktioniert", "funktionsunfähig",
            "nicht funktionsfähig", "geht nicht an", "geht nicht mehr an", "geht nicht mehr",
            "funktioniert schon nicht", "funktioniert nicht richtig", "funktioniert kaum", "lässt sich nicht", "lässt sich gar nicht",
            "lässt sich nicht mehr", "nicht einschalten", "nicht mehr einschalten",
            "schaltet sich nicht ein", "startet nicht", "lädt nicht", "fehlerhaft*",
            "mangelhaft*", "mangel", "mängel", "sachmangel", "funktionsstörung*",
            "fehlfunktion*", "ausgefallen", "schlechte qualität", "minderwertig*",
            "reklamation*", "reklamieren", "garantiefall", "gewährleistung*",
            "garantieanspruch", "überhitzt", "kurzschluss",
        ],
        "es": [
            "defectuos*", "defecto*", "no funciona", "ya no funciona", "no anda",
            "dejó de funcionar", "deja de funcionar", "no enciende", "no se enciende",
            "no carga", "no arranca", "no sirve", "falla", "fallo", "fallas", "averiad*",
            "avería", "mala calidad", "baja calidad", "sobrecalienta", "se calienta",
            "cortocircuito",
        ],
        "it": [
            "difettos*", "difetto", "difetti", "non funziona", "non funziona più",
            "smesso di funzionare", "non funzionante", "non si accende", "non si accende più",
            "non carica", "non si carica", "non parte", "guasto", "guasta", "guasti",
            "malfunzionament*", "mal funzionamento", "pessima qualità", "scarsa qualità",
            "bassa qualità", "in garanzia", "surriscald*", "cortocircuito",
        ],
    },
    # Not received / where is my order / order status / late or lost parcel.
    "not_received": {
        "en": [
            "not received", "not recieved", "not recived", "haven't received", "havent received",
            "have not received", "haven't recieved", "hasn't arrived", "has not arrived",
            "hasnt arrived", "not arrived", "never arrived", "never received", "never recieved",
            "never got", "never came", "didn't receive", "did not receive", "didnt receive",
            "didn't get", "did not get", "haven't got", "haven't gotten", "didn't arrive",
            "did not arrive", "not delivered", "never delivered", "not been delivered",
            "wasn't delivered", "never showed up", "didn't show up", "where is my order",
            "where's my order", "wheres my order", "where is my package", "where's my package",
            "where is my parcel", "where's my parcel", "where is my item", "where is my delivery",
            "where is my shipment", "where is my purchase", "where is my stuff",
            "order status", "status of my order", "status of the order", "status of my package",
            "lost in transit", "lost in the post", "lost in the mail", "lost package",
            "lost parcel", "lost my package", "lost my parcel", "package was lost",
            "parcel was lost", "package is lost", "parcel is lost", "package lost",
            "parcel lost", "got lost", "missing package", "missing parcel", "missing order",
            "missing delivery", "missing shipment", "package missing", "parcel missing",
            "late delivery", "delivery is late", "order is late", "package is late",
            "parcel is late", "running late", "delayed", "overdue", "when will i receive my order",
            "when will i receive my package", "when will i receive my parcel",
            "when will i receive the item", "when will i receive it", "when will it arrive",
            "when will my order arrive", "when will i get my order", "when will i get my package",
            "when will i get my parcel", "when will i get it", "when will it be delivered",
            "still waiting for my order", "still waiting for my package",
            "still waiting for my parcel", "still waiting for the package",
            "marked as delivered", "says delivered", "shows delivered", "shows as delivered",
            "delivered but", "stolen", "porch pirate*", "wrong address", "returned to sender",
            "return to sender", "item not received",
        ],
        "fr": [
            "pas reçu", "jamais reçu", "rien reçu", "pas été livré", "pas été livrée",
            "pas livré", "pas livrée", "jamais livré", "jamais livrée", "jamais arrivé",
            "jamais arrivée", "pas arrivé", "pas arrivée", "toujours pas reçu",
            "toujours pas arrivé", "où est ma commande", "où est mon colis", "où est mon paquet",
            "où est mon article", "où en est ma commande", "où en est mon colis",
            "où en est ma livraison", "où se trouve mon colis", "statut de ma commande",
            "statut de la commande", "état de ma commande", "état de la commande",
            "quand vais-je recevoir", "quand est-ce que je vais recevoir", "quand vais-je être livré",
            "colis perdu", "colis égaré", "commande perdue", "perdu en route", "colis manquant",
            "commande manquante", "en retard", "retardé", "retardée", "retard de livraison",
            "livraison en retard", "marqué comme livré", "indiqué comme livré", "indique livré",
            "noté livré", "signalé livré", "affiché livré", "livré mais", "colis volé",
            "j'attends toujours ma commande", "j'attends toujours mon colis",
            "toujours en attente de ma commande", "toujours en attente du colis", "retour à l'expéditeur", "non reçu", "non reçue",
        ],
        "de": [
            "nicht erhalten", "nichts erhalten", "nicht bekommen", "nichts bekommen",
            "nicht angekommen", "nicht geliefert", "nicht zugestellt", "noch nicht da",
            "nie angekommen", "nie erhalten", "nie geliefert", "immer noch nicht angekommen",
            "immer noch nicht da", "wo ist meine bestellung", "wo ist mein paket",
            "wo ist meine lieferung", "wo ist meine ware", "wo bleibt meine bestellung",
            "wo bleibt mein paket", "wo bleibt meine lieferung", "wo bleibt die lieferung",
            "wo bleibt die bestellung", "wo bleibt das paket", "wo bleibt meine ware",
            "bestellstatus", "status meiner bestellung", "status der bestellung",
            "wann kommt meine bestellung", "wann kommt mein paket", "wann kommt die lieferung",
            "wann erhalte ich meine bestellung", "wann erhalte ich mein paket",
            "wann erhalte ich die ware", "wann wird geliefert", "lieferverzögerung", "verspätet*",
            "paket verloren", "paket ist verloren", "verloren gegangen", "verlorengegangen",
            "als zugestellt markiert", "als zugestellt", "angeblich zugestellt", "zugestellt aber",
            "zugestellt, aber", "warte immer noch auf meine bestellung",
            "warte immer noch auf mein paket", "warte immer noch auf die lieferung", "paket gestohlen",
            "zurück an absender", "an den absender zurück",
        ],
        "es": [
            "no he recibido", "no recibí", "no lo he recibido", "no la he recibido",
            "no los he recibido", "no me ha llegado", "no me llegó", "no ha llegado", "no llegó",
            "nunca llegó", "nunca recibí", "nunca me llegó", "todavía no he recibido",
            "todavía no ha llegado", "todavía no me ha llegado", "aún no ha llegado",
            "aún no he recibido", "sigo sin recibir", "sigue sin llegar", "dónde está mi pedido",
            "dónde está mi paquete", "donde esta mi pedido", "dónde está mi compra",
            "dónde está mi envío", "estado de mi pedido", "estado del pedido", "cuándo llegará",
            "cuándo llega mi pedido", "cuándo recibiré mi pedido", "cuándo recibiré el pedido",
            "cuándo recibiré mi paquete", "retrasad*", "con retraso",
            "paquete perdido", "pedido perdido", "se ha perdido", "se perdió", "extraviad*",
            "marcado como entregado", "figura como entregado", "aparece como entregado",
            "dice entregado", "pone entregado", "no recibido", "no recibida", "sigo esperando mi pedido", "sigo esperando el pedido",
            "sigo esperando el paquete", "no entregado",
            "devuelto al remitente",
        ],
        "it": [
            "non ho ricevuto", "non ricevuto", "non ricevuta", "mai ricevuto", "mai ricevuta",
            "non l'ho ricevuto", "non l'ho ancora ricevuto", "non ho ancora ricevuto",
            "non ancora ricevuto", "non è arrivato", "non è arrivata", "non è ancora arrivato",
            "non è mai arrivato", "non ancora arrivato", "mai arrivato", "mai arrivata",
            "non arrivato", "non mi è arrivato", "non mi è arrivata", "dov'è il mio ordine",
            "dove è il mio ordine", "dov'è il mio pacco", "dov'è il mio articolo",
            "dove si trova il mio pacco", "dove si trova il mio ordine", "stato dell'ordine",
            "stato del mio ordine", "quando arriva il mio ordine", "quando arriva il pacco",
            "quando arriva l'ordine", "quando arriverà il pacco", "quando arriverà l'ordine",
            "quando arriverà il mio ordine", "quando riceverò il pacco", "quando riceverò l'ordine",
            "quando riceverò il mio ordine", "quando riceverò la merce",
            "in ritardo", "pacco perso", "ordine perso", "pacco smarrito", "smarrit*",
            "risulta consegnato", "segnato come consegnato", "dice consegnato",
            "consegnato ma", "non consegnato", "sto ancora aspettando il pacco",
            "sto ancora aspettando l'ordine", "sto ancora aspettando il mio ordine",
            "sto ancora aspettando la consegna", "ancora in attesa del pacco",
            "ancora in attesa dell'ordine", "ancora in attesa della consegna",
            "rispedito al mittente",
        ],
    },
    # Tracking numbers, tracking updates, carrier/shipping status questions.
    "tracking": {
        "en": [
            "tracking*", "trackin", "track my", "track the", "track it", "track order",
            "track package", "track parcel", "no updates", "no update", "not updated",
            "hasn't updated", "not updating", "hasn't moved", "not moving", "stuck in transit",
            "stuck at", "in transit", "shipment status", "shipping status",
            "has it shipped", "has it been shipped", "has my order shipped", "been dispatched",
            "been despatched", "dispatch date", "despatch date", "when will it ship",
            "when will it be shipped", "when will you ship", "shipping confirmation", "carrier",
            "courier", "ups", "usps", "fedex", "dhl", "royal mail", "hermes", "evri", "dpd",
            "gls", "label created",
        ],
        "fr": [
            "suivi", "suivis", "numéro de suivi", "suivre mon colis", "suivre ma commande",
            "lien de suivi", "traçage", "tracking", "en transit", "colis bloqué",
            "pas de mise à jour", "aucune mise à jour", "a-t-il été expédié",
            "a-t-elle été expédiée", "déjà expédié", "déjà expédiée", "date d'expédition",
            "transporteur", "la poste", "colissimo", "chronopost", "mondial relay",
            "point relais", "étiquette créée",
        ],
        "de": [
            "sendungsverfolgung", "sendungsnummer", "trackingnummer", "tracking*",
            "paketverfolgung", "verfolgungsnummer", "verfolgung", "sendungsstatus",
            "lieferstatus", "versandstatus", "schon versendet", "bereits versendet",
            "schon verschickt", "wirklich verschickt", "wann wird versendet", "wann versenden sie",
            "versandbestätigung", "zusteller", "kein update", "keine aktualisierung",
            "deutsche post", "label erstellt",
        ],
        "es": [
            "seguimiento", "número de seguimiento", "rastreo", "rastrear", "localizador",
            "tracking", "en tránsito", "no se actualiza", "sin actualizar", "ha sido enviado",
            "fue enviado", "se ha enviado", "transportista", "mensajería", "correos express", "seur", "mrw",
            "etiqueta creada",
        ],
        "it": [
            "tracciament*", "tracking", "codice di tracciamento", "numero di spedizione",
            "stato della spedizione", "è stato spedito", "è stata spedita", "già spedito",
            "in transito", "pacco bloccato", "nessun aggiornamento", "non si aggiorna",
            "corriere", "poste italiane", "bartolini", "brt", "etichetta creata",
        ],
    },
    "return": {
        "en": [
            "return*", "send it back", "send back", "sending it back", "sent it back",
            "ship it back", "post it back", "rma", "return label",
        ],
        "fr": [
            "retour*", "retourner", "retourné", "renvoyer", "renvoyé", "renvoyée", "renvoi",
            "rétractation", "rendre l'article", "rendre le produit", "droit de rétractation",
            "bon de retour",
        ],
        "de": [
            "rücksend*", "retour*", "zurücksenden", "zurückschicken", "zurückgeschickt",
            "zurückgeben", "zurückgegeben", "rückgabe*", "widerruf", "widerrufen",
            "schicke es zurück", "schicke ich es zurück", "schicken es zurück",
        ],
        "es": [
            "devolución", "devoluciones", "devolver*", "devuelto", "devuelta", "devolví",
            "retorno", "desistimiento", "enviar de vuelta", "envío de vuelta",
        ],
        "it": [
            "reso", "restituire", "restituzione", "restituit*", "rispedire", "rimandare indietro",
            "mandare indietro", "rendere il prodotto", "recesso",
        ],
    },
    "refund": {
        "en": [
            "refund*", "refound", "money back", "reimburse*", "repay*", "store credit",
            "credit note", "my money", "partial refund",
        ],
        "fr": [
            "rembours*", "remboursser", "mon argent", "récupérer mon argent", "geste commercial",
            "avoir sur", "un avoir",
        ],
        "de": [
            "rückerstattung*", "erstattung*", "erstatten", "zurückerstatten", "zurückerstattet",
            "geld zurück", "mein geld", "gutschrift", "rückzahlung", "betrag zurück",
        ],
        "es": [
            "reembols*", "rembolso", "devolución del dinero", "devolver el dinero",
            "devuelvan el dinero", "devuélvanme el dinero", "me devuelven el dinero",
            "mi dinero", "abono", "reintegro",
        ],
        "it": [
            "rimbors*", "riavere i soldi", "riavrò i soldi", "i miei soldi", "soldi indietro",
            "restituzione dei soldi", "restituzione del denaro", "accredito",
        ],
    },
    "exchange": {
        "en": [
            "exchang*", "swap*", "replacement*", "replace it", "replace the", "replace my",
            "send a new one", "send another one", "send me a new one", "a new one",
        ],
        "fr": [
            "échang*", "remplacement", "remplacer", "en remplacer", "renvoyer un autre",
            "un neuf", "une autre taille", "une autre couleur",
        ],
        "de": [
            "umtausch*", "austausch*", "tauschen", "eintauschen", "ersatz*", "ersetzen",
            "andere größe", "andere farbe",
        ],
        "es": [
            "cambio", "cambiarlo", "cambiarla", "cambiármelo", "cambiármela", "me lo cambian",
            "me lo pueden cambiar", "lo puedo cambiar", "cambiar el producto", "cambiar el artículo",
            "cambiar la talla", "cambiar de talla", "cambiar el color", "cambiar por",
            "sustitución", "sustituir", "reemplaz*", "reposición", "otra talla", "otro color",
            "uno nuevo",
        ],
        "it": [
            "cambio", "cambiarlo", "cambiarla", "cambiare il prodotto", "cambiare l'articolo",
            "cambiare la taglia", "cambiare taglia", "cambiare con", "sostituzione", "sostituir*",
            "sostituit*", "altra taglia", "altra misura", "altro colore", "uno nuovo",
        ],
    },
    "cancellation": {
        "en": [
            "cancel*", "cancle", "cancell", "stop the order", "stop my order", "don't send",
            "do not send", "don't ship", "do not ship", "no longer need", "no longer want",
            "changed my mind", "ordered by mistake", "ordered by accident",
            "accidentally ordered", "accidental order", "withdraw my order",
            "ordered the wrong", "ordered the wrong one",
        ],
        "fr": [
            "annul*", "anulé", "anuler", "ne pas expédier", "ne pas envoyer",
            "commandé par erreur", "commandée par erreur", "changé d'avis", "plus besoin",
            "me suis trompé", "me suis trompée",
        ],
        "de": [
            "storn*", "annullieren", "abbestellen", "nicht mehr benötigt", "nicht versenden",
            "nicht mehr versenden", "aus versehen bestellt", "versehentlich bestellt",
            "bestellung zurückziehen", "falsch bestellt", "falsche modell bestellt",
            "falschen artikel bestellt", "falsche größe bestellt", "falsche farbe bestellt",
        ],
        "es": [
            "cancel*", "anul*", "ya no lo quiero", "ya no lo necesito", "no lo envíen",
            "pedido por error", "compré por error", "pedí por error", "me equivoqué",
        ],
        "it": [
            "annull*", "cancellare", "cancellazione", "cancellato", "disdire", "disdetta",
            "non spedire", "non inviare", "ordinato per errore", "per sbaglio",
            "non mi serve più", "ho cambiato idea", "ho sbagliato",
        ],
    },
    "invoice": {
        "en": [
            "invoic*", "receipt*", "vat invoice", "tax invoice", "vat receipt", "vat number",
            "proforma", "pro forma", "billing document",
        ],
        "fr": [
            "facture*", "facturation", "justificatif*", "numéro de tva", "tva intracommunautaire",
        ],
        "de": [
            "rechnung*", "quittung*", "kaufbeleg", "mwst", "mehrwertsteuer*", "ust-idnr",
            "umsatzsteuer*",
        ],
        "es": [
            "factura*", "recibo*", "comprobante*", "con iva", "nif", "cif",
        ],
        "it": [
            "fattura*", "ricevuta*", "scontrino", "partita iva", "codice fiscale", "con iva",
        ],
    },
    # Reviews and feedback: negative feedback is an ODR defect.
    "feedback": {
        "en": [
            "feedback*", "negative feedback", "review*", "1 star*", "one star*", "1-star",
            "2 star*", "two star*", "zero star*", "0 star*", "bad review", "negative review",
            "rating*", "rate you", "leave a review",
        ],
        "fr": [
            "avis", "avis négatif", "évaluation*", "commentaire négatif", "mauvaise note",
            "note négative", "1 étoile*", "une étoile*", "2 étoiles", "deux étoiles",
            "zéro étoile*",
        ],
        "de": [
            "bewertung*", "negative bewertung", "rezension*", "1 stern*", "ein stern*",
            "einen stern", "2 sterne*", "zwei sterne*", "null sterne*", "schlechte bewertung",
        ],
        "es": [
            "opinión", "opiniones", "valoración*", "valoraciones", "reseña*",
            "comentario negativo", "calificación*", "1 estrella*", "una estrella*",
            "2 estrellas", "dos estrellas", "puntuación",
        ],
        "it": [
            "recension*", "valutazion*", "1 stella", "una stella", "2 stelle", "due stelle",
            "giudizio negativo", "voto negativo",
        ],
    },
    "product_question": {
        "en": [
            "size", "sizing", "size chart", "colour", "color", "dimension*", "measurement*", "how big",
            "how large", "how long", "how tall", "how wide", "how heavy", "weight",
            "compatib*", "fit", "fits", "will it fit", "does it fit", "does it work with",
            "work with", "does it come with", "does this come with", "suitable for",
            "is it suitable", "instructions", "manual", "user guide", "how to use",
            "how do i use", "material", "made of", "in stock", "available", "availability",
            "restock*", "back in stock", "battery", "batteries", "charger", "warranty",
            "spare part*", "accessor*", "specification*", "specs", "voltage", "plug",
            "dishwasher*", "microwave safe", "bpa",
        ],
        "fr": [
            "taille", "dimension*", "mesure*", "compatib*", "convient-il", "convient pour",
            "notice",
            "mode d'emploi", "matière", "couleur", "poids", "pointure", "en stock", "disponib*",
            "garantie", "pile", "piles", "chargeur", "pièce détachée", "pièces détachées",
            "accessoire*", "comment utiliser", "comment fonctionne", "lave-vaisselle", "bpa",
            "caractéristique*",
        ],
        "de": [
            "welche größe", "größentabelle", "in welcher größe", "größe passt", "schuhgröße",
            "maße", "abmessung*", "kompatib*", "passt es", "passt das", "passend", "geeignet",
            "bedienungsanleitung", "anleitung", "material", "farbe", "gewicht", "lieferbar",
            "verfügbar", "auf lager", "akku", "batterie*", "ladegerät", "garantie",
            "ersatzteil*", "zubehör", "spülmaschine*", "bpa", "technische daten",
        ],
        "es": [
            "talla", "tallas", "tamaño", "medida*", "dimension*", "compatib*", "sirve para",
            "vale para", "instrucciones", "manual", "material", "color", "peso", "en stock",
            "disponib*", "batería", "cargador", "garantía", "repuesto*", "accesorio*",
            "lavavajillas", "bpa", "especificaciones",
        ],
        "it": [
            "taglia", "taglie", "misura", "misure", "dimension*", "compatib*", "adatto",
            "adatta", "va bene per", "istruzioni", "manuale", "materiale", "colore", "peso",
            "disponib*", "batteria", "caricabatterie", "garanzia", "ricambi*", "accessori*",
            "lavastoviglie", "bpa", "specifiche",
        ],
    },
}

# Matched like terms, reported as nothing: they keep a shorter term from firing in an idiom.
STOP_PHRASES: dict[str, list[str]] = {
    "en": [
        "in return", "in return for", "claim code*", "gift card claim*", "many happy returns",
        "tax return*",
    ],
    "fr": [
        "c'est dommage", "quel dommage", "dommage que", "par défaut", "en retour",
        "retour de votre part", "sans retour de votre part", "pas de retour de votre part",
        "aucun retour de votre part",
    ],
    "de": ["es fehlt nichts", "fehlt nichts", "fehlt mir nichts", "nichts fehlt"],
    "es": ["a cambio", "en cambio", "hace falta", "si hace falta", "no hace falta", "falta de", "cambiar la dirección", "cambiar mi dirección",
           "cambiar la dirección de entrega", "cambiar el método de pago", "no falta nada"],
    "it": ["in cambio", "cambiare l'indirizzo", "cambiare indirizzo", "non manca nulla",
           "non manca niente"],
}

# A hit of these categories is dropped when negated ("not damaged", "rien ne manque").
NEGATABLE: frozenset[str] = frozenset({"damaged", "missing_item", "wrong_item", "defective"})

NEGATIONS: dict[str, list[str]] = {
    "en": [
        "not", "no", "nothing", "none", "never", "neither", "nor", "without", "cannot",
        "isn't", "isnt", "wasn't", "wasnt", "aren't", "arent", "weren't", "werent", "don't",
        "dont", "doesn't", "doesnt", "didn't", "didnt", "hasn't", "hasnt", "haven't", "havent",
        "hadn't", "won't", "wont", "can't", "cant", "couldn't", "shouldn't", "wouldn't", "ain't",
    ],
    "fr": ["pas", "ne", "n", "rien", "aucun", "aucune", "jamais", "sans", "ni", "non", "nullement"],
    "de": [
        "nicht", "kein", "keine", "keinen", "keiner", "keines", "keinem", "nichts", "ohne",
        "nie", "niemals", "weder",
    ],
    "es": ["no", "nada", "ningún", "ninguno", "ninguna", "sin", "nunca", "ni", "jamás", "tampoco"],
    "it": ["non", "niente", "nulla", "nessun", "nessuno", "nessuna", "senza", "mai"],
}

# Words that end a negation's reach: "not received and damaged" keeps "damaged".
CLAUSE_BREAKERS: tuple[str, ...] = (
    "and", "but", "or", "though", "although", "et", "mais", "ou", "und", "aber", "oder",
    "sondern", "y", "pero", "o", "sino", "ma", "oppure", "però",
)
