/**
 * How to install an eSIM, in the traveller's language: iPhone and Android steps with this eSIM's own SM-DP+
 * address, activation code and (when the bundle needs one) APN filled in. Pure text, no I/O.
 * A language is added by adding one entry to STEPS; anything not offered falls back to English.
 */
export const INSTALL_LANGUAGES = ['en', 'fr', 'de', 'es'] as const;
export type InstallLanguage = (typeof INSTALL_LANGUAGES)[number];
export const DEFAULT_INSTALL_LANGUAGE: InstallLanguage = 'en';

export interface InstallFacts {
  smdpAddress: string;
  activationCode: string;
  lpa: string;
  apn: string | null;
}

export interface InstallSteps {
  ios: string[];
  android: string[];
}

interface Phrases {
  wifi: string;
  iosLink: string;
  iosQr: string;
  iosManual: (f: InstallFacts) => string;
  iosLine: string;
  iosRoaming: string;
  iosApn: (apn: string) => string;
  androidQr: string;
  androidManual: (f: InstallFacts) => string;
  androidLine: string;
  androidRoaming: string;
  androidApn: (apn: string) => string;
}

const STEPS: Record<InstallLanguage, Phrases> = {
  en: {
    wifi: 'Connect to Wi-Fi before you start, and do not delete the eSIM once installed: it usually cannot be installed twice.',
    iosLink: 'On this iPhone (iOS 17.4 or later), tap the install link and follow the prompts.',
    iosQr: 'Or, from another screen: Settings > Mobile Service (Cellular) > Add eSIM > Use QR Code, and scan the QR code.',
    iosManual: (f) => `Cannot scan? Tap "Enter Details Manually" and type the SM-DP+ address ${f.smdpAddress} and the activation code ${f.activationCode}.`,
    iosLine: 'Label the new line (for example "Travel") and choose it for mobile data; keep your usual line for calls and texts if you like.',
    iosRoaming: 'At your destination: Settings > Mobile Service > your travel line > turn on Data Roaming.',
    iosApn: (apn) => `If data does not start: Settings > Mobile Service > your travel line > Mobile Data Network, and set the APN to ${apn}.`,
    androidQr: 'Settings > Network & internet (Connections on Samsung) > SIMs > Add eSIM (or "Download a SIM instead"), and scan the QR code.',
    androidManual: (f) => `Cannot scan? Choose "Need help?" or "Enter code manually" and type the whole activation code ${f.lpa}.`,
    androidLine: 'Turn the new eSIM on and choose it for mobile data.',
    androidRoaming: 'At your destination: open the eSIM in Settings > SIMs and turn on Roaming.',
    androidApn: (apn) => `If data does not start: Settings > SIMs > your eSIM > Access Point Names > Add, and set the APN to ${apn}.`,
  },
  fr: {
    wifi: "Connectez-vous au Wi-Fi avant de commencer, et ne supprimez pas l'eSIM une fois installée : elle ne peut en général pas être réinstallée.",
    iosLink: "Sur cet iPhone (iOS 17.4 ou ultérieur), touchez le lien d'installation et suivez les instructions.",
    iosQr: "Ou, depuis un autre écran : Réglages > Données cellulaires > Ajouter une eSIM > Utiliser un code QR, puis scannez le code QR.",
    iosManual: (f) => `Impossible de scanner ? Touchez « Saisir les informations manuellement » et saisissez l'adresse SM-DP+ ${f.smdpAddress} et le code d'activation ${f.activationCode}.`,
    iosLine: 'Nommez la nouvelle ligne (par exemple « Voyage ») et choisissez-la pour les données cellulaires ; gardez votre ligne habituelle pour les appels et SMS si vous le souhaitez.',
    iosRoaming: "À destination : Réglages > Données cellulaires > votre ligne de voyage > activez l'itinérance des données.",
    iosApn: (apn) => `Si les données ne passent pas : Réglages > Données cellulaires > votre ligne de voyage > Réseau de données cellulaires, et indiquez l'APN ${apn}.`,
    androidQr: 'Paramètres > Réseau et Internet (Connexions sur Samsung) > SIM > Ajouter une eSIM (ou « Télécharger une SIM »), puis scannez le code QR.',
    androidManual: (f) => `Impossible de scanner ? Choisissez « Besoin d'aide ? » ou « Saisir le code manuellement » et saisissez le code d'activation complet ${f.lpa}.`,
    androidLine: "Activez la nouvelle eSIM et choisissez-la pour les données mobiles.",
    androidRoaming: "À destination : ouvrez l'eSIM dans Paramètres > SIM et activez l'itinérance.",
    androidApn: (apn) => `Si les données ne passent pas : Paramètres > SIM > votre eSIM > Noms des points d'accès > Ajouter, et indiquez l'APN ${apn}.`,
  },
  de: {
    wifi: 'Verbinden Sie sich vor dem Start mit einem WLAN, und löschen Sie die eSIM nach der Installation nicht: Sie lässt sich meist kein zweites Mal installieren.',
    iosLink: 'Tippen Sie auf diesem iPhone (iOS 17.4 oder neuer) auf den Installationslink und folgen Sie den Anweisungen.',
    iosQr: 'Oder von einem anderen Bildschirm aus: Einstellungen > Mobilfunk > eSIM hinzufügen > QR-Code verwenden, und scannen Sie den QR-Code.',
    iosManual: (f) => `Scannen nicht möglich? Tippen Sie auf „Details manuell eingeben“ und geben Sie die SM-DP+-Adresse ${f.smdpAddress} und den Aktivierungscode ${f.activationCode} ein.`,
    iosLine: 'Benennen Sie die neue Leitung (zum Beispiel „Reise“) und wählen Sie sie für mobile Daten; Ihre gewohnte Leitung können Sie für Anrufe und SMS behalten.',
    iosRoaming: 'Am Reiseziel: Einstellungen > Mobilfunk > Ihre Reiseleitung > Datenroaming einschalten.',
    iosApn: (apn) => `Falls keine Datenverbindung entsteht: Einstellungen > Mobilfunk > Ihre Reiseleitung > Mobiles Datennetzwerk, und den APN ${apn} eintragen.`,
    androidQr: 'Einstellungen > Netzwerk & Internet (Verbindungen bei Samsung) > SIMs > eSIM hinzufügen (oder „Stattdessen SIM herunterladen“), und scannen Sie den QR-Code.',
    androidManual: (f) => `Scannen nicht möglich? Wählen Sie „Hilfe“ oder „Code manuell eingeben“ und geben Sie den vollständigen Aktivierungscode ${f.lpa} ein.`,
    androidLine: 'Schalten Sie die neue eSIM ein und wählen Sie sie für mobile Daten.',
    androidRoaming: 'Am Reiseziel: Öffnen Sie die eSIM unter Einstellungen > SIMs und schalten Sie Roaming ein.',
    androidApn: (apn) => `Falls keine Datenverbindung entsteht: Einstellungen > SIMs > Ihre eSIM > Zugangspunkte (APN) > Hinzufügen, und den APN ${apn} eintragen.`,
  },
  es: {
    wifi: 'Conéctate a una red Wi-Fi antes de empezar y no borres la eSIM una vez instalada: normalmente no se puede instalar dos veces.',
    iosLink: 'En este iPhone (iOS 17.4 o posterior), toca el enlace de instalación y sigue las instrucciones.',
    iosQr: 'O, desde otra pantalla: Ajustes > Datos móviles > Añadir eSIM > Usar código QR, y escanea el código QR.',
    iosManual: (f) => `¿No puedes escanear? Toca «Introducir datos manualmente» y escribe la dirección SM-DP+ ${f.smdpAddress} y el código de activación ${f.activationCode}.`,
    iosLine: 'Ponle un nombre a la nueva línea (por ejemplo «Viaje») y elígela para los datos móviles; si quieres, mantén tu línea habitual para llamadas y SMS.',
    iosRoaming: 'En tu destino: Ajustes > Datos móviles > tu línea de viaje > activa Itinerancia de datos.',
    iosApn: (apn) => `Si los datos no funcionan: Ajustes > Datos móviles > tu línea de viaje > Red de datos móviles, y escribe el APN ${apn}.`,
    androidQr: 'Ajustes > Redes e Internet (Conexiones en Samsung) > SIMs > Añadir eSIM (o «Descargar una SIM»), y escanea el código QR.',
    androidManual: (f) => `¿No puedes escanear? Elige «¿Necesitas ayuda?» o «Introducir código manualmente» y escribe el código de activación completo ${f.lpa}.`,
    androidLine: 'Activa la nueva eSIM y elígela para los datos móviles.',
    androidRoaming: 'En tu destino: abre la eSIM en Ajustes > SIMs y activa la itinerancia.',
    androidApn: (apn) => `Si los datos no funcionan: Ajustes > SIMs > tu eSIM > Nombres de puntos de acceso > Añadir, y escribe el APN ${apn}.`,
  },
};

export function installSteps(language: InstallLanguage, facts: InstallFacts): InstallSteps {
  const p = STEPS[language];
  return {
    ios: [p.wifi, p.iosLink, p.iosQr, p.iosManual(facts), p.iosLine, p.iosRoaming, ...(facts.apn ? [p.iosApn(facts.apn)] : [])],
    android: [p.wifi, p.androidQr, p.androidManual(facts), p.androidLine, p.androidRoaming, ...(facts.apn ? [p.androidApn(facts.apn)] : [])],
  };
}

/** Apple's one-tap install link (iOS 17.4+): the LPA string as `carddata`, as Apple documents it. */
export function appleOneTapInstallUrl(lpa: string): string {
  return `https://esimsetup.apple.com/esim_qrcode_provisioning?carddata=${lpa.replace(/[^A-Za-z0-9$:._-]/g, (c) => encodeURIComponent(c))}`;
}
