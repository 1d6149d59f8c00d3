"""What the demo shop's past shoppers were called, where they lived, and what they wrote in
their feedback, in their own languages (the comments are the shoppers' words, not the
app's: they are data, not translatable text)."""

from __future__ import annotations

from typing import Final

PLACES: Final = (  # country, language, postcode, city, weight, first names, last names
    ("DE", "de", "10437", "Berlin", 30, ("Jana", "Tobias", "Katrin", "Felix", "Miriam"),
     ("Becker", "Hoffmann", "Krüger", "Wolf", "Zimmermann")),
    ("DE", "de", "50667", "Köln", 12, ("Stefan", "Ute", "Jan", "Lea"),
     ("Fischer", "Koch", "Richter", "Klein")),
    ("AT", "de", "1070", "Wien", 8, ("Magdalena", "Florian", "Theresa"),
     ("Gruber", "Huber", "Bauer")),
    ("FR", "fr", "69002", "Lyon", 14, ("Camille", "Julien", "Manon", "Théo"),
     ("Bernard", "Petit", "Moreau", "Lefèvre")),
    ("ES", "es", "08012", "Barcelona", 10, ("Lucía", "Javier", "Carmen", "Pablo"),
     ("Fernández", "López", "Romero", "Navarro")),
    ("NL", "nl", "3511", "Utrecht", 12, ("Sanne", "Bram", "Femke", "Joris"),
     ("Bakker", "Visser", "Smit", "Mulder")),
    ("GB", "en", "M1 1AE", "Manchester", 14, ("Olivia", "Harry", "Grace", "Oscar"),
     ("Taylor", "Wilson", "Davies", "Evans")),
)  # fmt: skip
"""Not the names of today's demo orders, so a search for those still finds one order."""
STREETS: Final = ("Hauptstraße", "Rue Neuve", "Calle Mayor", "Kerkstraat", "High Street")

COMMENTS: Final[dict[str, dict[str, tuple[str, ...]]]] = {
    "en": {
        "happy": ("Lovely mug, arrived quickly and well packed.",
                  "Great coffee, fast delivery. Will order again!",
                  "Everything perfect, thank you."),
        "meh": ("Nice products, delivery was okay.", "Good, but the box was a bit battered."),
        "late": ("Took much longer than promised and nobody could tell me where it was.",
                 "Arrived a week late, I had to check the tracking every day."),
        "broken": ("The parcel was damaged and one cup was broken.",
                   "The carrier lost it for days, then it came back damaged."),
    },
    "de": {
        "happy": ("Wunderschöne Tasse, schnell geliefert und gut verpackt.",
                  "Toller Kaffee, schnelle Lieferung. Gerne wieder!", "Alles bestens, danke."),
        "meh": ("Schöne Produkte, Lieferung war in Ordnung.",
                "Gut, aber der Karton war etwas eingedrückt."),
        "late": ("Hat viel länger gedauert als angekündigt.",
                 "Eine Woche zu spät, ich musste jeden Tag die Sendungsverfolgung prüfen."),
        "broken": ("Das Paket war beschädigt und eine Tasse zerbrochen.",
                   "Der Versand ist hängen geblieben und kam beschädigt an."),
    },
    "fr": {
        "happy": ("Très belle tasse, livrée vite et bien emballée.",
                  "Excellent café, livraison rapide. Je recommande !", "Parfait, merci."),
        "meh": ("Beaux produits, livraison correcte.", "Bien, mais le carton était abîmé."),
        "late": ("Livraison bien plus longue que prévu.",
                 "Une semaine de retard, j'ai dû vérifier le suivi tous les jours."),
        "broken": ("Colis endommagé, une tasse cassée.",
                   "Le transporteur l'a bloqué plusieurs jours, arrivé abîmé."),
    },
    "es": {
        "happy": ("Taza preciosa, llegó rápido y bien embalada.",
                  "Café excelente y envío rápido. ¡Repetiré!", "Todo perfecto, gracias."),
        "meh": ("Buenos productos, la entrega fue correcta.",
                "Bien, pero la caja llegó algo golpeada."),
        "late": ("Tardó mucho más de lo prometido.",
                 "Llegó con una semana de retraso, revisaba el seguimiento cada día."),
        "broken": ("El paquete llegó dañado y una taza rota.",
                   "El transportista lo retuvo días y llegó dañado."),
    },
    "nl": {
        "happy": ("Prachtige mok, snel geleverd en goed verpakt.",
                  "Heerlijke koffie, snelle levering. Zeker weer!", "Alles perfect, dank je."),
        "meh": ("Mooie producten, levering was oké.", "Goed, maar de doos was wat gedeukt."),
        "late": ("Duurde veel langer dan beloofd.",
                 "Een week te laat, ik moest elke dag de track & trace checken."),
        "broken": ("Het pakket was beschadigd en een kopje gebroken.",
                   "De vervoerder hield het dagen vast en het kwam beschadigd aan."),
    },
}  # fmt: skip

SCANS: Final = {  # status -> the carrier's words
    "info_received": "Shipment information received",
    "in_transit": "Arrived at the sorting centre",
    "exception": "Delivery problem: parcel damaged in transit, repacked",
    "failed_attempt": "Recipient not at home, next attempt tomorrow",
    "out_for_delivery": "Out for delivery",
    "delivered": "Delivered",
    "returned_to_sender": "Returned to sender",
}

SUBJECTS: Final = {  # the English subjects (the log shows what was sent)
    "order_confirmed": "Your order {n} is confirmed",
    "shipped": "Your order {n} is on its way",
    "delayed": "Your order {n} is taking longer than expected",
    "exception": "A problem with the delivery of your order {n}",
    "failed_attempt": "We missed you: delivery attempt for order {n}",
    "out_for_delivery": "Your order {n} is out for delivery",
    "delivered": "Your order {n} has been delivered",
    "returned_to_sender": "Your order {n} is on its way back to us",
    "feedback_request": "How was your order {n}?",
    "return_requested": "We have received your return request for order {n}",
    "return_approved": "Your return for order {n} is approved",
    "return_rejected": "About your return request for order {n}",
    "return_received": "We have received your return for order {n}",
    "return_refunded": "Your refund for order {n} is on its way",
}
