import { parseTable } from './table.ts';

/**
 * JDV_J238-TypeOffre-ROR (codes of TRE_R244-CategorieOrganisation), transcribed by hand (codes and displays only)
 * from the NOS version 20260730120000 published by ANS in "Terminologies de Santé" (ans.fr.terminologies 1.12.0,
 * repository ansforge/IG-terminologie-de-sante, the successor of ansforge/IG-NOS). One "code|display" per line.
 * RETIRED_J238 are the codes of the 2024-01-26 version (ig/DM-37/ValueSet-JDV-J238-TypeOffre-ROR.json
 * @ 5511555a5f04363118cc12e8263c47dc2c183940) that the 2026 version no longer lists: kept so stored data stay valid.
 */
const TABLE = `
01|Appartement thérapeutique en psychiatrie
02|Atelier thérapeutique en psychiatrie
03|Cellule d'Urgences Médico-Psychologique (CUMP)
04|Centre d'Accueil Permanent (CAP)
05|Centre d’Activités Thérapeutiques et de Temps de Groupe (CATTG) – ex CATTP
06|Centre de crise
07|Centre de soins post-aigus (CeSPA)
08|Centre de Référence Troubles du Neuro-développement (TND) - Centre de Diagnostic et d’évaluation expert (CDE)
09|Centre Expert
10|Centre Médico-Psychologique (CMP) Adulte
11|Hôpital De Jour (HDJ)
12|Hôpital De Nuit (HDN)
13|Service d'Accueil Familial Thérapeutique en psychiatrie
14|Service Médico-Psychologique Régional (SMPR)
15|Unité de Soins Intensifs Psychiatriques (USIP)
16|Unité d'hospitalisation (hors HDJ)
17|Unité Hospitalière Spécialement Aménagé (UHSA)
18|Unité Malade Difficile (UMD)
19|Unités Soins Etudes
20|Structure des urgences polyvalentes 24h/24 7j/7
21|Accueil ou hébergement pour personnes âgées dépendantes, sans spécificité
22|Accueil ou hébergement pour personnes âgées autonomes, sans spécificité
23|Accueil ou hébergement pour personnes âgées dépendantes, avec spécificité Unité d'Hébergement Renforcé (UHR)
24|Accueil ou hébergement pour personnes âgées dépendantes, avec spécificité Unité de vie protégée (UVP, Cantou,...)
25|Pôle d'activité de Soins Adaptés (PASA)
26|Accueil ou hébergement pour personnes âgées dépendantes, avec spécificité Petites unités de vie (PUV)
27|Accueil ou hébergement pour personnes âgées autonomes, avec spécificité Maison d'accueil rural (MARPA)
28|Services Soins infirmiers à domicile (SSIAD)
29|Equipe spécialisée Alzheimer (ESA)
30|Service autonomie à domicile (SAD) aide
31|Service d'Accompagnement à la Vie Sociale (SAVS)
32|Service d'accompagnement médico-social adultes handicapés (SAMSAH)
33|Service de portage de repas à domicile
34|Service de Téléassistance
35|Foyer restaurant
36|Dispositif d'accueil familial social PA-PH
37|Centre d'accueil familial spécialisé (CAFS)
38|Plateforme d'accompagnement et de répit
39|Foyer ou établissement d'accueil médicalisé (FAM ou EAM)
40|Maison d'accueil spécialisée (MAS)
41|Etablissement d'accueil non médicalisé (EANM) dont foyer de vie et foyer d'hébergement
43|Unité d'aide par le travail (ESAT)
44|Etablissements et Service de Réadaptation Professionnelle (ESRP)
45|Unités évaluation réentraînement et d'orientation sociale et professionnel (UEROS)
46|Établissement et Service de Préorientation (ESPO)
47|Plateforme Emploi Accompagné (PEA)
48|Institut médico-éducatif (IME)
49|Institut d'éducation motrice (IEM)
50|Institut thérapeutique éducatif et pédagogique (ITEP)
51|Etablissement pour enfant ou ado polyhandicapé (EEAP)
52|Institut déficient visuel
53|Institut déficient auditif
54|Institut déficient Visuel et Auditif
55|Unité d'enseignement interne
56|Unité d'enseignement externalisée
57|Service d'accompagnement, Service d'Education Spécialisée de Soins à Domicile (SESSAD)
58|Service d'accompagnement, Service d'Accompagnement Familial et d'Education Précoce (SAFEP)
59|Service d'accompagnement, Services de Soutien à l'Education Familiale et à la Scolarisation (SSEFIS)
60|Service d'accompagnement, Service d'Aide à l'Acquisition de l'Autonomie et à l'Intégration Scolaire (S3AIS)
61|Centre d'action médico-sociale précoce (CAMSP)
62|Centre médico-psycho-pédagogique (CMPP)
63|Jardin d'enfants spécialisé
64|Bureau d'Aide Psychologique Universitaire (B.A.P.U.)
65|Pôle de compétences et de prestations externalisées (PCPE)
66|Equipe Relais Handicaps Rares (ERHR)
67|Lieu de vie et d'accueil (hors ESMS)
68|Unité d'hospitalisation fermée
69|Consultation externe en établissement de santé
70|Unité d'intervention extra-hospitalière
71|Equipe de liaison et de soins (intra-hospitalière)
72|Guichet d'accueil, écoute, conseil, orientation
73|Gestion de cas MAIA
74|Logement inclusif
75|Services Soins infirmiers à domicile renforcé (SSIAD renforcé)
76|Unité d'évaluation et de régulation des admissions en psychiatrie
77|Equipe Mobile Psychiatrie et Précarité (EMPP)
78|Equipe Mobile Géronto-Psychiatrie (EMGP)
79|Equipe Mobile Ambulatoire de Réadaptation Spécialisé (EARS)
80|Centre de Soins, d'Accompagnement et de Prévention en Addictologie (CSAPA)
81|Centre d'Accueil et d'Accompagnement à la Réduction des risques pour Usagers de Drogues (CAARUD)
82|Pharmacie à Usage Intérieur (PUI)
83|Chambre mortuaire
84|Plateforme de Coordination et d'Orientation (PCO)
85|Equipe Mobile Autisme
86|Consultation Jeune Consommateur (CJC)
87|Dispositif VigilanS
88|Dispositif expérimental
89|Centre de santé sexuelle
90|Equipe mobile de prévention du risque infectieux
91|Equipe opérationnelle d'hygiène (EOH)
92|Soins non programmés de ville
93|Lits halte soins santé (LHSS)
94|Appartement de coordination thérapeutique (ACT)
95|Lits d'accueil médicalisés (L.A.M.)
96|Etablissement d'accueil non médicalisé (EANM) - foyer d'hébergement (classique ou en milieu ouvert)
97|Etablissement d'accueil non médicalisé (EANM) - foyer de vie
98|Espaces de vie affective, relationnelle et sexuelle (EVARS)
99|Maison de santé pluriprofessionnelle (MSP)
100|Soins Médicaux et de Réadaptation (SMR) polyvalent
101|Soins Médicaux et de Réadaptation (SMR) gériatrie
102|Soins Médicaux et de Réadaptation (SMR) locomoteur
103|Soins Médicaux et de Réadaptation (SMR) système nerveux
104|Soins Médicaux et de Réadaptation (SMR) cardio-vasculaire
105|Soins Médicaux et de Réadaptation (SMR) pneumologie
106|Soins Médicaux et de Réadaptation (SMR) système digestif, endocrinologie, diabétologie, nutrition
107|Soins Médicaux et de Réadaptation (SMR) brûlés
108|Soins Médicaux et de Réadaptation (SMR) conduites addictives
109|Soins Médicaux et de Réadaptation (SMR) pédiatriques (enfants et adolescents)
110|Soins Médicaux et de Réadaptation (SMR) pédiatriques (jeunes enfants, enfants et adolescents)
111|Soins Médicaux et de Réadaptation (SMR) oncologie
112|Soins Médicaux et de Réadaptation (SMR) oncologie et hématologie
113|Centre de Réhabilitation Psychosociale
114|Centre Ressource pour les Intervenants auprès des Auteurs de Violences Sexuelles (CRIAVS)
115|Equipe Spécialisée de Soins Infirmiers Précarité (ESSIP)
117|Unité de radiothérapie
119|Unité mère-enfant
120|Centre de recours Troubles du Comportement Alimentaire (TCA)
121|Unité de réanimation
122|Unité de soins intensifs polyvalents (USIP) contiguë
123|Unité de soins intensifs polyvalents (USIP) dérogatoire
124|Unité de soins intensifs (USI) de spécialité (hors USIC, USINV, USIH)
125|Centre de protection maternelle et infantile (PMI)
126|Structure Douleur Chronique (SDC)
127|Centre régional du psychotraumatisme (CRP)
128|Unité d'hospitalisation à domicile socle
129|Unité d'hospitalisation à domicile ante et post-partum
130|Unité d'hospitalisation à domicile réadaptation
131|Unité d'hospitalisation à domicile enfants de moins de trois ans
132|Service autonomie à domicile (SAD) aide et soins
134|Maison des adolescents (MDA)
135|Points Accueil Ecoute Jeunes (PAEJ)
136|Centre de ressources territorial (CRT)
137|Maison sport-santé
138|Unité de soins non programmés en établissement de santé
139|Unité de soins intensifs polyvalents (USIP) non contiguë
140|Equipe Mobile d'Appui à la Scolarisation (EMAS)
141|Espace Santé Jeune (ESJ)
142|Equipes Mobiles Santé Précarité (EMSP)
143|Communauté 360
144|Equipe Mobile de Psychiatrie de la Personne Âgée
145|Unité hospitalière d'addictologie
146|Unité hospitalière de brûlologie
148|Unité hospitalière d'allergologie
149|Unité hospitalière de cardiologie
150|Unité hospitalière de chirurgie orthopédique et traumatologique
151|Unité hospitalière de chirurgie thoracique et cardiovasculaire
152|Unité hospitalière de chirurgie vasculaire
153|Unité hospitalière de chirurgie viscérale et digestive
154|Unité hospitalière de dermatologie
155|Unité hospitalière de génétique médicale
156|Unité hospitalière de gériatrie
157|Unité hospitalière de gynécologie
158|Unité hospitalière de médecine vasculaire
159|Unité hospitalière de néphrologie
160|Unité hospitalière de neurochirurgie
161|Unité hospitalière de neurologie
162|Unité hospitalière de pédiatrie
163|Unité hospitalière de pneumologie
164|Unité hospitalière d'imagerie médicale
165|Unité hospitalière de rhumatologie
166|Unité hospitalière de stomatologie, chirurgie orale et maxillo faciale
167|Unité hospitalière d'endocrinologie, diabétologie et nutrition
168|Unité hospitalière des maladies infectieuses et tropicales (MIT)
169|Unité hospitalière d'hématologie
170|Unité hospitalière d'hépato-gastro-entérologie (HGE)
171|Unité hospitalière d'oncologie
172|Unité hospitalière d'ophtalmologie
173|Unité hospitalière oto-rhino-laryngologie (ORL)
174|Unité hospitalière de psychiatrie de l’adulte
175|Unités de soins palliatifs
176|Unité hospitalière de médecine interne
177|Dispositif de consultation dédié pour les personnes en situation de handicap
178|Dispositif d'Appui à la Coordination (DAC)
179|Cabinet de ville d'oto-rhino-laryngologie (ORL)
180|Cabinet de ville d'allergologie
181|Cabinet de ville d'anatomo-cytopathologie
182|Cabinet de ville d'anesthésie-réanimation
183|Cabinet de ville de cardiologie
184|Cabinet de ville de chirurgie orthopédique et traumatologique
185|Cabinet de ville de chirurgie pédiatrique
186|Cabinet de ville de chirurgie plastique
187|Cabinet de ville de chirurgie thoracique et cardiovasculaire
188|Cabinet de ville de chirurgie vasculaire
189|Cabinet de ville de chirurgie viscérale et digestive
190|Cabinet de ville de dermatologie
191|Cabinet de ville de diététique
192|Cabinet de ville de génétique médicale
193|Cabinet de ville de gériatrie
194|Cabinet de ville de gynécologie et/ou obstétrique
195|Cabinet de ville de kinésithérapie
196|Cabinet de ville de médecine générale
197|Cabinet de ville de médecine interne
198|Cabinet de ville de médecine légale et expertise médicale
199|Cabinet de ville de médecine nucléaire
200|Cabinet de ville de médecine physique et réadaptation (MPR)
201|Cabinet de ville de médecine vasculaire
202|Cabinet de ville de néphrologie
203|Cabinet de ville de neurochirurgie
204|Cabinet de ville de neurologie
205|Cabinet de ville de pédiatrie
206|Cabinet de ville de pédicurie-podologie
207|Cabinet de ville de pneumologie
208|Cabinet de ville de psychiatrie
209|Cabinet de ville de psychologie
210|Cabinet de ville de psychomotricité
211|Cabinet de ville d'imagerie médicale
212|Cabinet de ville de rhumatologie
213|Cabinet de ville de sages-femmes
214|Cabinet de ville de stomatologie, chirurgie orale et maxillo faciale
215|Cabinet de ville d'endocrinologie, diabétologie et nutrition
216|Cabinet de ville d'ergothérapie
217|Cabinet de ville des maladies infectieuses et tropicales (MIT)
218|Cabinet de ville d'hématologie
219|Cabinet de ville d'hépato-gastro-entérologie
220|Cabinet de ville d'oncologie
221|Cabinet de ville d'ophtalmologie
222|Cabinet de ville d'orthophonie
223|Cabinet de ville d'orthoptie
224|Cabinet de ville d'urologie
225|Cabinet de ville infirmier
226|Cabinet dentaire de chirurgie dentaire
227|Cabinet dentaire de chirurgie orale
228|Cabinet dentaire de médecine bucco-dentaire
229|Cabinet dentaire d'orthopédie dento-faciale
230|Unité hospitalière d'anatomo-cytopathologie
231|Unité hospitalière de médecine du sport
232|Unité hospitalière de médecine légale et expertise médicale
233|Unité hospitalière de médecine physique et réadaptation (MPR)
234|Unité hospitalière d'urologie
236|Unité hospitalière d'odontologie
237|Unité hospitalière d'anesthésie
238|Unité hospitalière de médecine polyvalente
239|Unité hospitalière de médecine nucléaire
240|Unité hospitalière de médecine du travail
241|Unité hospitalière de chirurgie pédiatrique
242|Unité hospitalière de chirurgie plastique, reconstructrice et esthétique
244|Equipe Mobile d'Expertise en Réadaptation (EMER) neuro-locomoteur
245|Centre expert en maladies rares
246|Service d'Aide Médicale Urgente (SAMU)
247|Structure Mobile d'Urgence et de Réanimation (SMUR)
248|Unité de biologie
249|Unité de Soins de Longue Durée (USLD)
250|Centres Gratuits d'Information, de Dépistage et de Diagnostic (CeGIDD)
251|Centre Périnatal de Proximité (CPP)
253|Equipe Ressource Régionale de Soins Palliatifs Pédiatriques (ERRSPP)
254|Unité de surveillance continue
255|Communauté Professionnelle Territoriale de Santé (CPTS)
256|Etablissement d'accueil temporaire pour adultes handicapés
257|Unité pour Personnes Handicapées Vieillissantes (UPHV - UPHA)
258|Hébergement Temporaire d'urgence (dont HT-SH)
259|Point d'information local dédié aux personnes âgées
262|Unité de soins intensifs spécialisés cardiologie (USIC)
263|Unité de soins intensifs spécialisés neurologie vasculaire (USINV)
264|Unité de soins intensifs spécialisés hématologie (USIH)
268|Centre de lutte antituberculeuse (CLAT)
269|Centre de vaccination
270|Centre de vaccination internationale
271|Dialyse à Domicile
272|Equipe de Liaison et de Soins en Addictologie (ELSA)
273|Unité d’auto-dialyse assistée (UAD)
274|Unité de dialyse en centre lourd
275|Unité de dialyse Médicalisée (UDM)
276|Unité d’Accueil et de Soins pour personnes Sourdes et malentendantes (UASS)
277|Equipe de coordination hospitalière de tissus et/ou d’organes
278|Unité Hospitalière de Courte Durée (UHCD)
279|Equipe Mobile de Psychiatrie de l’Enfant et de l’Adolescent (EMPEA)
280|Equipe mobile de psychiatrie adulte
281|Centre Médico-Psychologique Enfant et Adolescent (CMPEA)
282|Unité hospitalière de psychiatrie de l’enfant et de l’adolescent (pédopsychiatrie)
283|Equipe mobile de psychiatrie périnatale
284|Equipe Spécialisée de Prévention et de Réadaptation à Domicile (ESPRAD)
285|Centre Anti-Poison et de Toxico-Vigilance (CAPTV)
286|Unité hospitalière de Soins Intensifs Néonatals (USIN)
287|Unité hospitalière de réanimation néonatale
288|Unité hospitalière « kangourou » ou « koala »
289|Unité hospitalière de néonatalogie
290|Unité hospitalière de maternité
291|Halte Soins Addiction (HSA)
292|Unité Hospitalière Sécurisée Interrégionale (UHSI)
293|Unité hospitalière dédiée grossesse pathologique (GHR)
294|Unité hospitalière de soins externes
295|Permanence d'Accès aux Soins de Santé (PASS)
296|Groupe d’Entraide Mutuelle (GEM)
297|Centre ressource IntimAgir
298|Dispositif sanitaire dédié à la prise en charge des femmes victimes de violences (Maison des Femmes Santé)
299|Equipe de Diagnostic de Proximité – Autisme (PDAP, EDAP)
301|Unité d'urgences psychiatriques
302|Centre d’Accueil et de Crise (CAC)
303|Cabinet de ville infirmier en pratique avancée en pathologies chroniques stabilisées
304|Cabinet de ville infirmier en pratique avancée en oncologie et hémato-oncologie
305|Cabinet de ville infirmier en pratique avancée en maladie rénale chronique
306|Cabinet de ville infirmier en pratique avancée en santé mentale
307|Unité d’Education Thérapeutique du Patient (ETP)
308|Unité de réanimation des brûlés
309|Unité Sanitaire en Milieu Pénitentiaire (USMP, ex UCSA)
310|Lactarium
311|Structure des urgences pédiatriques
312|Pharmacie d'officine (dont mutualiste)
313|Antenne des urgences
314|Centre de Prise en Charge des Auteurs et/ou Auteures de violences conjugales (CPCA)
315|Equipe de Soins Spécialisés (ESS)
316|Société de téléconsultation
317|Unité hospitalière de soins de support
318|Groupe plaies et cicatrisation (dont équipe mobile)
319|Centre du sommeil
320|Offre de relayage au domicile
`;

export const J238_CONCEPTS: [string, string][] = parseTable(TABLE);

/** Listed in the 2024-01-26 version, no longer in the 2026-07-30 one: kept for validation (see docs/terminology.md). */
export const RETIRED_J238: [string, string][] = [
  ['116', 'Unité de chirurgie oncologique'],
  ['118', 'Unité de traitements médicamenteux systémiques du cancer'],
];
