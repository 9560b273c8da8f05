"""The vocabulary demo tickets are drawn from: agents, teams, categories and bilingual texts."""

from __future__ import annotations

from typing import NamedTuple


class DemoAgent(NamedTuple):
    name: str
    email: str
    team: str


AGENTS: tuple[DemoAgent, ...] = (
    DemoAgent("Lucía Fernández", "lucia.fernandez@demo.cschat.dev", "Equipo Norte"),
    DemoAgent("Javier Moreno", "javier.moreno@demo.cschat.dev", "Equipo Norte"),
    DemoAgent("Carmen Ruiz", "carmen.ruiz@demo.cschat.dev", "Equipo Norte"),
    DemoAgent("Diego Navarro", "diego.navarro@demo.cschat.dev", "Equipo Sur"),
    DemoAgent("Sofía Romero", "sofia.romero@demo.cschat.dev", "Equipo Sur"),
    DemoAgent("Mateo Gil", "mateo.gil@demo.cschat.dev", "Equipo Sur"),
    DemoAgent("Emily Carter", "emily.carter@demo.cschat.dev", "Tier 2"),
    DemoAgent("James Walker", "james.walker@demo.cschat.dev", "Tier 2"),
    DemoAgent("Olivia Bennett", "olivia.bennett@demo.cschat.dev", "Tier 2"),
    DemoAgent("Daniel Brooks", "daniel.brooks@demo.cschat.dev", "Enterprise"),
    DemoAgent("Valentina Castro", "valentina.castro@demo.cschat.dev", "Enterprise"),
    DemoAgent("Noah Hughes", "noah.hughes@demo.cschat.dev", "Enterprise"),
)

# (value, weight): weights shape the mix, not exact shares.
PRIORITIES = (("Low", 25), ("Medium", 45), ("High", 22), ("Urgent", 8))
CHANNELS = (("Email", 35), ("Chat", 30), ("Phone", 20), ("Web", 10), ("Social", 5))
OPEN_STATUSES = (("new", 20), ("open", 30), ("in_progress", 30), ("pending", 12), ("escalated", 8))

# Median minutes to first response and to resolution, by priority.
FIRST_RESPONSE_MEDIAN = {"Urgent": 8.0, "High": 20.0, "Medium": 45.0, "Low": 90.0}
RESOLUTION_MEDIAN = {"Urgent": 240.0, "High": 600.0, "Medium": 1440.0, "Low": 2880.0}
CHANNEL_SPEED = {"Chat": 0.5, "Phone": 0.6, "Social": 0.9, "Web": 1.1, "Email": 1.3}

CUSTOMERS = (
    "Acme S.L.",
    "Globex Corp",
    "Initech",
    "Umbrella Ibérica",
    "Hooli",
    "Vandelay Industries",
    "Soylent S.A.",
    "Stark Retail",
    "Wayne Logistics",
    "Tyrell Systems",
    "Cyberdyne Labs",
    "Pied Piper",
    "Aperture Science",
    "Wonka Foods",
    "Oscorp Media",
    "Monsters S.A.",
    "Dunder Mifflin",
    "Gringotts Finance",
    "Nakatomi Trading",
    "Bluth Company",
)


class CategoryTexts(NamedTuple):
    weight: int
    subjects_es: tuple[str, ...]
    subjects_en: tuple[str, ...]
    details_es: tuple[str, ...]
    details_en: tuple[str, ...]
    resolutions_es: tuple[str, ...]
    resolutions_en: tuple[str, ...]


CATEGORIES: dict[str, CategoryTexts] = {
    "Billing": CategoryTexts(
        22,
        (
            "Cobro duplicado en la factura",
            "No entiendo el cargo de este mes",
            "Necesito una factura con otro NIF",
            "El pago con tarjeta fue rechazado",
        ),
        (
            "Double charge on my invoice",
            "I don't understand this month's charge",
            "I need an invoice with a different tax id",
            "Card payment was declined",
        ),
        (
            "El cliente ve dos cargos iguales en su extracto.",
            "Pide el desglose del importe cobrado.",
            "Solicita reemitir la factura.",
        ),
        (
            "The customer sees two identical charges on the statement.",
            "Asks for a breakdown of the amount charged.",
            "Requests the invoice to be reissued.",
        ),
        (
            "Se anuló el cargo duplicado y se envió el justificante.",
            "Se explicó el prorrateo del plan y el cliente quedó conforme.",
            "Se reemitió la factura con los datos correctos.",
        ),
        (
            "The duplicate charge was voided and the receipt sent.",
            "Explained the plan proration; the customer agreed.",
            "Reissued the invoice with the corrected details.",
        ),
    ),
    "Technical": CategoryTexts(
        20,
        (
            "La aplicación se cierra al abrirla",
            "Error 500 al guardar cambios",
            "La sincronización no funciona",
            "No cargan las imágenes",
        ),
        (
            "The app crashes on launch",
            "Error 500 when saving changes",
            "Sync is not working",
            "Images do not load",
        ),
        (
            "Ocurre desde la última actualización.",
            "Pasa en todos los navegadores.",
            "Afecta a varios usuarios de la cuenta.",
        ),
        (
            "It started after the last update.",
            "It happens in every browser.",
            "Several users on the account are affected.",
        ),
        (
            "Se limpió la caché y se reinstaló la versión 4.2; funciona.",
            "Se corrigió la configuración del proxy del cliente.",
            "Se escaló a ingeniería y se desplegó un parche.",
        ),
        (
            "Cleared the cache and reinstalled version 4.2; it works.",
            "Fixed the customer's proxy configuration.",
            "Escalated to engineering; a patch was deployed.",
        ),
    ),
    "Account Access": CategoryTexts(
        15,
        (
            "No puedo iniciar sesión",
            "Restablecer contraseña no llega",
            "Cuenta bloqueada tras varios intentos",
            "Cambiar el email de la cuenta",
        ),
        (
            "I can't log in",
            "Password reset email never arrives",
            "Account locked after several attempts",
            "Change the account email",
        ),
        (
            "El cliente no recibe el correo de recuperación.",
            "Aparece 'credenciales inválidas'.",
            "Necesita acceso urgente para su equipo.",
        ),
        (
            "The customer does not receive the recovery email.",
            "It says 'invalid credentials'.",
            "Needs urgent access for the team.",
        ),
        (
            "Se desbloqueó la cuenta y se forzó el cambio de contraseña.",
            "El correo estaba en spam; se añadió el remitente a la lista segura.",
            "Se verificó la identidad y se actualizó el email.",
        ),
        (
            "Unlocked the account and forced a password change.",
            "The email was in spam; the sender was allow-listed.",
            "Verified identity and updated the email.",
        ),
    ),
    "Shipping": CategoryTexts(
        14,
        (
            "Mi pedido no ha llegado",
            "El paquete llegó dañado",
            "Cambiar la dirección de envío",
            "Seguimiento sin actualizar",
        ),
        (
            "My order has not arrived",
            "The package arrived damaged",
            "Change the shipping address",
            "Tracking has not updated",
        ),
        (
            "El pedido lleva una semana en tránsito.",
            "La caja llegó abierta.",
            "El transportista no da información.",
        ),
        (
            "The order has been in transit for a week.",
            "The box arrived open.",
            "The carrier gives no information.",
        ),
        (
            "Se reenvió el pedido con envío urgente.",
            "Se abrió reclamación con el transportista.",
            "Se actualizó la dirección antes del despacho.",
        ),
        (
            "Reshipped the order with express delivery.",
            "Opened a claim with the carrier.",
            "Updated the address before dispatch.",
        ),
    ),
    "Refunds": CategoryTexts(
        10,
        (
            "Solicitud de reembolso",
            "El reembolso no aparece en mi cuenta",
            "Devolución de un producto defectuoso",
        ),
        (
            "Refund request",
            "The refund is not showing in my account",
            "Return of a defective product",
        ),
        ("Pide la devolución del importe íntegro.", "Han pasado diez días desde la devolución."),
        ("Asks for a full refund.", "Ten days have passed since the return."),
        (
            "Se aprobó el reembolso; tarda de 3 a 5 días hábiles.",
            "Se confirmó el reembolso con el banco y se envió el comprobante.",
        ),
        (
            "Refund approved; it takes 3 to 5 business days.",
            "Confirmed the refund with the bank and sent the proof.",
        ),
    ),
    "Product Question": CategoryTexts(
        10,
        ("¿Cómo exporto mis datos?", "¿El plan Pro incluye API?", "Dudas sobre integraciones"),
        (
            "How do I export my data?",
            "Does the Pro plan include the API?",
            "Questions about integrations",
        ),
        ("Quiere conocer las opciones disponibles.", "Compara planes antes de contratar."),
        ("Wants to know the available options.", "Is comparing plans before buying."),
        (
            "Se enviaron los pasos de la guía de exportación.",
            "Se explicaron las diferencias entre planes.",
        ),
        ("Sent the steps from the export guide.", "Explained the differences between plans."),
    ),
    "Cancellation": CategoryTexts(
        9,
        ("Quiero cancelar mi suscripción", "Baja del servicio", "No renovar el contrato"),
        ("I want to cancel my subscription", "Close my account", "Do not renew the contract"),
        ("El cliente se cambia a otro proveedor.", "Considera el servicio demasiado caro."),
        ("The customer is moving to another provider.", "Finds the service too expensive."),
        (
            "Se ofreció un descuento de retención y el cliente se quedó.",
            "Se procesó la baja al final del periodo facturado.",
        ),
        (
            "Offered a retention discount; the customer stayed.",
            "Processed the cancellation at the end of the billing period.",
        ),
    ),
}
