import { parseTable } from './table.ts';

/**
 * JDV_J18-EquipementSpecifique-ROR (codes of TRE_R212-Equipement), transcribed by hand (codes and displays only) from the NOS version of
 * 2024-01-26 published by ANS in "Terminologies de Santé", repository ansforge/IG-terminologie-de-sante,
 * ig/DM-37/ValueSet-JDV-J18-EquipementSpecifique-ROR.json @ 5511555a5f04363118cc12e8263c47dc2c183940. One "code|display" per line.
 */
const TABLE = `
003|Angioscope
005|Autotransfuseur
009|Chambre à pression négative
010|Chambre à pression positive (chambre stérile)
017|Coronaroscanner
021|Echographe transportable
030|Echographe 3D
040|Equipement pour réentraînement (cycloergomètre, tapis roulant)
041|Ergorameur
047|Holter tensionnel
051|Impédance masse graisseuse
052|IRM obésité diamètre de 70 cm - bariatrique
054|IRM corps entier
056|Laboratoire du sommeil (polysomnographe)
064|Planche à massage cardiaque automatique
065|Polysomnographe portatif
068|Réaction en chaîne par polymérase (PCR)
069|Robot opératoire pour chirurgie robot assistée
071|Spectromètre de masse
072|Table de bloc opératoire obésité (poids supérieur à 250 kg) - bariatrique
083|Table de radiologie obésité (poids entre 150 et 250 kg) - bariatrique
084|Table de radiologie obésité (poids supérieur à 250 kg) - bariatrique
085|Scanner (TDM) obésité diamètre de 80 cm - bariatrique
086|Scanner (TDM) obésité champ ouvert - bariatrique
087|IRM à champ ouvert
088|Table de bloc opératoire obésité (poids entre 150 et 250 kg) - bariatrique
089|Lit d'hospitalisation obésité (poids entre 250 et 350 kg) - bariatrique
090|Lit d'hospitalisation obésité (poids entre 350 et 450 kg) - bariatrique
091|Brancard obésité (poids entre 180 et 250 kg) - bariatrique
092|Brancard obésité (poids entre 250 et 350 kg) - bariatrique
093|ECMO transportable
094|Mammographe
095|Laboratoire microbiologie P3
096|Laboratoire microbiologie P4
097|Chambre d'isolement et de contention
098|Bassin thérapeutique pour balnéothérapie (<20m2)
099|Piscine pour balnéothérapie (>20m2)
100|Salle aménagée pour la thérapie systémique
101|Salle de stimulation multi-sensorielle
102|Appareil d'isocinétisme
103|Assistant robotisé à la marche
104|Assistant robotisé des membres supérieurs et de la préhension
106|Laboratoire d'analyse tridimensionnelle du mouvement, de la marche
107|Salle de réanimation avec scopes, défibrillateur, matériel d'intubation et de ventilation assistée
108|Hotte à flux laminaire
109|Equipement de rééducation pour obésité massive
110|Studio pré-greffe et post-greffe
111|Douche filiforme pour brûlés
112|Equipement pour monitorage par télémétrie
113|Prises d'oxygène en salle de rééducation
114|Locaux adaptés à la désorientation temporo-spatiale
115|Prises d'oxygène dans les chambres
116|Appartement pour mise en situation d'autonomie
118|Monitoring cardiaque portatif
119|Plateau technique neuropsycho cognitif
120|Plateau de simulation de conduite automobile
121|Véhicules adaptés à la conduite en situation de handicap
122|Mur d'escalade
123|Chambre domotisée
124|Atelier de confection de prothèses
125|Gymnase
126|Cuisine thérapeutique et éducative
127|Système de traction halo-crânienne
128|Plateforme multitest équilibre
129|Plateau d'analyse informatisée du rachis
130|Chambre et locaux sécurisés permettant la prise en charge des personnes à risque suicidaire
131|Module fixe de décontamination
132|Module transportable de décontamination
134|Appareil de biologie délocalisé
135|Incubateur de transport
136|Respirateur néonatal et pédiatrique de transport
137|Chambre carcérale
138|PSM1 (Poste Sanitaire Mobile niveau 1)
139|PSM2 (Poste Sanitaire Mobile niveau 2)
140|PSM3 (Poste Sanitaire Mobile niveau 3)
141|Poste médical avancé (PMA)
142|Appareil de mesure de la glycémie capillaire
144|Système EOS
145|Salle physiologique (salle nature accouchement)
146|Cabine d'audiologie
147|Espace de calme-retrait, d'apaisement
148|Jardin pédagogique et-ou thérapeutique
149|Ferme pédagogique et-ou thérapeutique
150|Plateau ou salle de rééducation
152|Equipement de géolocalisation des personnes vulnérables
153|Equipement de télémédecine (chariot, cabine, équipement mobile…)
154|Chambre à double flux
155|Rails de transfert
156|Moniteur multiparamétrique
157|Systèmes corporels d'alerte sans fil
158|Fauteuil rotatoire
159|Plateforme verticale subjective
160|Appartement domotisé pour mise en situation d'autonomie
161|Caisson hyperbare occupation simple
162|Caisson hyperbare occupation multiple patient intubé
163|Caisson hyperbare occupation multiple patient non intubé
164|Cabine de cryothérapie
165|PCA ou autre injecteur automatique d'antalgiques
166|PCR multiplex (Film array)
167|Séquenceurs haut débit (NGS)
168|Cytomètre de flux
169|Atelier de confection d'orthèse
170|Atelier de confection aide technique
173|SNP Array
174|CGH Array
175|Spectromètre de masse haute résolution
176|Chromatographe haute performance en phase liquide
177|Chromatographe en phase gazeuse
178|Agrégomètre optique
179|Véhicules adaptés au transport de personnes à mobilité réduite
180|Pupillomètre
181|Accélérateur réchauffeur de sang
183|Equipement d'oxygénothérapie de déambulation
184|Dispositif de réadaptation à la marche par allègement du poids du corps (anti-gravité)
185|PSM pédiatriques (Poste Sanitaire Mobile)
186|Lit fluidisé
187|Table réfrigérée
188|Case réfrigérée
189|Table de coronarographie obésité (poids entre 150 et 250 kg) - bariatrique
190|Table de coronarographie obésité (poids entre 250 et 350 kg) - bariatrique
191|Table de coronarographie obésité (poids entre 350 et 450 kg) - bariatrique
192|Arthromoteurs (genoux, épaules, coudes)
193|Appareils de renforcement musculaire
194|Appareil d'ondes de choc pour traitement non invasif
195|Appareil de massage par vacuo-aspiration
196|Absorptiomètre obésité 70-80 cm (densitomètre bariatrique)
197|Fauteuil obésité (poids entre 250 et 350 kg) bariatrique
198|Holter tensionnel bariatrique
199|Appareil d'imagerie volumétrique par faisceau conique (CBCT)
200|Fauteuil dentaire adapté au handicap moteur
201|Laser rétinien
202|Laser Yag ophtalmologique
203|Atelier intégré d'appareillage
204|Imagerie par fluorescence
205|Ultrason de haute intensité (HIFU)
206|Dispositif mobile de traitement d'air
207|Défibrillateur semi-automatique
208|Equipement de téléradiographie
209|Arthromoteurs membres inférieurs (genoux)
210|Arthromoteurs membres supérieurs (épaules, coudes)
`;

export const J18_CONCEPTS: [string, string][] = parseTable(TABLE);
