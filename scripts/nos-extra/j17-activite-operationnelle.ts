import { parseTable } from './table.ts';

/**
 * JDV_J17-ActiviteOperationnelle-ROR (codes of TRE_R211-ActiviteOperationnelle), transcribed by hand (codes and displays only) from the NOS version of
 * 2024-01-26 published by ANS in "Terminologies de Santé", repository ansforge/IG-terminologie-de-sante,
 * ig/DM-37/ValueSet-JDV-J17-ActiviteOperationnelle-ROR.json @ 5511555a5f04363118cc12e8263c47dc2c183940. One "code|display" per line.
 */
const TABLE = `
001|Addictologie comportementale (sans substance)
003|Alcoologie
004|Algologie et Médecine de la douleur
005|Allergologie
006|Andrologie
007|Anesthésie
009|Biochimie
010|Biologie du développement et de la reproduction
013|Cardiologie générale
014|Cardiologie interventionnelle
015|Centre antipoison et de toxicovigilance (CAPTV)
016|Chirurgie cervico-faciale et Oto-rhino-laryngologie (ORL)
017|Chirurgie de l'obésité (bariatrique)
018|Chirurgie cardiaque et gros vaisseaux (cardio-vasculaire)
022|Chirurgie gynécologique
023|Chirurgie maxillo-faciale
025|Chirurgie orthopédique et traumatologique
030|Chirurgie thoracique et pulmonaire
031|Urologie
032|Chirurgie vasculaire et endovasculaire
033|Chirurgie digestive et viscérale fonctionnelle (hors carcinologie)
035|Coordination hospitalière de prélèvement d'organes et de tissus
037|Dermatologie
038|Dermatologie esthétique et cosmétique
039|Diabétologie
040|Diététique et Nutrition
041|Endocrinologie
042|Epidémiologie
044|Foetopathologie et Embryopathologie
046|Gastro-entérologie
048|Génétique chromosomique et moléculaire
049|Génétique médicale et clinique
050|Gériatrie, Gérontologie
051|Géronto-psychiatrie
052|Gestion de crise, plan blanc
053|Gynécologie médicale
055|Hématologie
056|Hématologie biologique
058|Hémodialyse en urgence
059|Hémodialyse chronique
062|Hépatologie
063|Hygiène, prévention, contrôle des infections associées aux soins
064|Hygiène hospitalière
067|Imagerie par échographie
068|Imagerie par IRM
069|Imagerie par radiologie conventionnelle
070|Imagerie par scanner (TDM)
071|Immuno-hématologie
072|Immunologie biologique
073|Immunologie clinique
075|Information médicale (DIM)
076|Soins palliatifs avec lits identifiés de soins palliatifs (LISP)
077|Maladies infectieuses et tropicales
080|Médecine de la reproduction
081|Médecine du sport
082|Médecine du travail (pathologie professionnelle)
083|Médecine polyvalente
084|Médecine hyperbare
085|Médecine interne
086|Médecine légale
087|Médecine nucléaire
088|Médecine pédiatrique
089|Médecine pénitentiaire
090|Médecine physique et de réadaptation
091|Médecine vasculaire (Angiologie, Phlébologie)
093|Microbiologie
094|Néonatologie
095|Néphrologie
096|Neurochirurgie
097|Neurologie
098|Neurologie vasculaire
099|Médecine de l'obésité
100|Obstétrique
101|Odontologie (dentaire)
102|Oncologie médicale (cancérologie)
103|Ophtalmologie
104|Orthodontie ou orthopédie dento-faciale
105|Orthogénie
106|Orthoptie
110|Pharmacologie
111|Pharmacovigilance
114|Pneumologie
115|Suivi post urgences
117|Proctologie médico-chirurgicale
118|Protection maternelle et infantile (PMI)
120|Radiologie interventionnelle
121|Réanimation spécialisée brûlés
122|Réanimation chirurgicale
123|Réanimation spécialisée chirurgie cardiaque et gros vaisseaux
124|Réanimation spécialisée chirurgie thoracique et pulmonaire
125|Réanimation spécialisée chirurgie viscérale et digestive
126|Réanimation médicale
127|Réanimation médico-chirurgicale (polyvalente)
128|Réanimation spécialisée néonatale
129|Réanimation spécialisée neurochirurgicale
130|Réanimation spécialisée pédiatrique
131|Rhumatologie
132|Rythmologie
133|Rythmologie interventionnelle
135|Sexologie médicale
136|SMUR primaire
137|Stomatologie
138|Surveillance post-interventionnelle SSPI (réveil)
139|Tabacologie
142|Toxicologie
145|Traumatologie
147|Urgences Médico-Psychologiques (CUMP)
148|Urgences spécialisées cardiologiques
152|Urgences spécialisées Médico-Judiciaires (UMJ)
154|Urgences spécialisées ophtalmologiques
156|Urgences spécialisées Oto-Rhino-Laryngologiques (ORL)
157|Urgences polyvalentes
158|Urgences spécialisées psychiatriques
159|Urgences spécialisées traumatologiques
160|Urgences vitales (SAUV - déchocage)
161|Vaccinations
162|Evaluation et suivi des Infections Sexuellement Transmissibles (IST)
163|Anatomie et Cytologie pathologique
164|Traitements médicamenteux systémiques du cancer (chimiothérapie)
167|Curiethérapie
168|Radiothérapie externe
169|Scintigraphie
170|Soins palliatifs
172|Réadaptation polyvalente
175|Brûlologie
177|Chirurgie reconstructrice
178|Chirurgie plastique et esthétique
179|Médecine aéronautique et aérospatiale
180|Médecine d'altitude (médecine de montagne)
182|Evaluation et traitement de la mucoviscidose
183|Traitement neurochirurgical de la douleur
184|Neurochirurgie vasculaire
186|Oncologie médicale neurologique (cancérologie)
187|Oncogériatrie médicale (cancérologie)
188|Oncologie médicale dermatologique (cancérologie)
189|Oncologie médicale digestive et viscérale (cancérologie)
190|Oncologie médicale gynécologique (cancérologie)
191|Oncologie médicale hématologique (cancérologie)
192|Oncologie médicale oto-rhino-laryngologique (ORL) et cervico-faciale (cancérologie)
193|Oncologie médicale pneumologique (cancérologie)
195|Oncologie médicale sénologique (cancer du sein) (cancérologie)
196|Oncologie médicale urologique (cancérologie)
197|Ostéopathie
198|Parodontologie
199|Chirurgie orale
200|Orthophonie
201|Podologie
202|Réunion de Concertation Pluridisciplinaire (RCP) Appareil Digestif
203|Réunion de Concertation Pluridisciplinaire (RCP) Appareil Respiratoire et Autres Thorax
204|Réunion de Concertation Pluridisciplinaire (RCP) Glandes Endocrines
205|Réunion de Concertation Pluridisciplinaire (RCP) Hématologie
206|Réunion de Concertation Pluridisciplinaire (RCP) Oeil
207|Réunion de Concertation Pluridisciplinaire (RCP) Organes génitaux féminins
208|Réunion de Concertation Pluridisciplinaire (RCP) Organes génitaux masculins
209|Réunion de Concertation Pluridisciplinaire (RCP) Os et tissus mous et myélome
210|Réunion de Concertation Pluridisciplinaire (RCP) Peau
211|Réunion de Concertation Pluridisciplinaire (RCP) Sein
212|Réunion de Concertation Pluridisciplinaire (RCP) Système Nerveux
214|Réunion de Concertation Pluridisciplinaire (RCP) Voies Aéro-Digestives Supérieures (VADS)
215|Réunion de Concertation Pluridisciplinaire (RCP) Voies urinaires
216|Réunion de Concertation Pluridisciplinaire (RCP) Cancers rares
217|Réunion de Concertation Pluridisciplinaire (RCP) Douleur
218|Réunion de Concertation Pluridisciplinaire (RCP) Métastase osseuse
219|Réunion de Concertation Pluridisciplinaire (RCP) Oncogénétique
220|Réunion de Concertation Pluridisciplinaire (RCP) Oncogériatrie
221|Réunion de Concertation Pluridisciplinaire (RCP) Oncologie médicale
222|Réunion de Concertation Pluridisciplinaire (RCP) Préservation de la fertilité
223|Réunion de Concertation Pluridisciplinaire (RCP) Radiologie interventionnelle
224|Réunion de Concertation Pluridisciplinaire (RCP) Soins de support général
225|Réunion de Concertation Pluridisciplinaire (RCP) Soins palliatifs
226|Expertise des infections osteo-articulaires complexes (CRIOA, CRIOAC)
227|Psychiatrie infanto-juvénile (pédopsychiatrie)
228|Psychiatrie des adolescents (pédopsychiatrie) et jeunes adultes
229|Psychiatrie adulte
230|Psychiatrie périnatale
231|Evaluation et soins de réhabilitation psychosociale
232|Bilan expert
233|Réadaptation des affections de l'appareil locomoteur
234|Réadaptation des affections du système nerveux
235|Réadaptation des affections cardio-vasculaires
236|Réadaptation des affections respiratoires
237|Réadaptation des affections du système digestif, endocrino-métaboliques et nutrition
238|Réadaptation des affections onco-hématologiques
239|Réadaptation des brulés (dont maladies nécrosantes et bulleuses de la peau)
240|Réadaptation des affections liées aux conduites addictives
241|Réadaptation gériatrique
242|Soins de Suite et de Réadaptation (SSR) polyvalent, reconnaissance affections onco-hématologiques
243|Réadaptation néphrologie
244|Réadaptation Post-Réanimation (SRPR)
245|Réadaptation des personnes en état de conscience altérée (ex EVC/EPR)
246|Réadaptation cognitivo-comportementale (UCC)
247|Réadaptation des déficiences visuelles
248|Réadaptation des déficiences auditives
249|Urgences pédiatriques
250|Urgences spécialisées céphalées
251|Urgences spécialisées dermatologiques
252|Urgences spécialisées endocrinologiques
253|Urgences spécialisées hématologiques
254|Urgences spécialisées néphrologiques
255|Urgences spécialisées hépato-gastro-entérologiques
256|Urgences spécialisées neuro-vasculaires
257|Urgences spécialisées odontologiques (dentaires)
258|Urgences spécialisées main
259|Urgences spécialisées gynécologiques
260|Urgences spécialisées obstétricales
261|Urgences spécialisées maxillo-faciales
262|Urgences spécialisées stomatologiques
263|Urgences spécialisées oncologiques
264|Urgences spécialisées chirurgicales viscérales et digestives
265|Urgences spécialisées infectieuses
266|Urgences spécialisées urologiques
267|Urgences spécialisées neuro-chirurgicales
268|Transfert inter-hospitalier (TIH SMUR)
269|Transfert infirmier inter-hospitalier (TIIH SMUR)
270|SMUR pédiatrique
271|Evacuation sanitaire (EVASAN)
272|Régulation médicale libérale (CRRA)
273|Régulation médicale hospitalière (CRRA)
274|Régulation médicale maritime (CRRA)
275|Régulation médicale en montagne (CRRA)
276|Régulation médicale pédiatrique (CRRA)
277|Régulation psychiatrique
278|Régulation des transferts in utero
279|Oncologie médicale pédiatrique (cancérologie)
280|Chirurgie dermatologique
281|Chirurgie oncologique
282|Périnatalité (suivi de grossesse)
283|Rééducation - réadaptation
284|Evaluation et traitement de la drépanocytose
285|Soins médicaux somatiques
287|Soins infirmiers
288|Soins d'hygiène médicalisés
289|Suivi psychologique
290|Réadaptation des fonctions du langage et de la communication
291|Réadaptation pour la mobilité
292|Réadaptation des fonctions cognitives
293|Accompagnements pour les actes de la vie quotidienne (AVQ)
294|Accompagnements pour la communication
295|Accompagnements pour les relations avec autrui
296|Accompagnements pour prendre des décisions adaptées
297|Accompagnements pour la sécurité
298|Accompagnements pour vivre dans un logement
299|Accompagnements pour accomplir les activités domestiques
300|Accompagnements à la scolarisation
301|Enseignement et/ou formation
302|Accompagnements pour préparer sa vie professionnelle
303|Accompagnements à la recherche d'un emploi
304|Activité professionnelle adaptée
305|Accompagnements dans l'activité professionnelle
306|Activités visant la stimulation cognitivo-comportementale
307|Organisation d'activités péri-scolaires-péri-professionnelles
308|Accompagnements à la parentalité
309|Accompagnements à la vie affective et sexuelle
310|Accompagnements pour l'exercice des mandats électoraux, la représentation des pairs
311|Accompagnements pour la pair aidance
312|Accompagnements pour créer ou maintenir le lien social et éviter l'isolement
313|Accompagnements à des activités sociales, culturelles, sportives et de loisirs
314|Activités de bien-être
315|Soins socio-esthétiques
316|Apprentissage et accompagnements à la conduite de véhicule (voiture,...)
317|Informer, évaluer, accompagner et orienter pour l'ouverture des droits et l'accès aux prestations pour l'aidé et l'aidant
318|Apprentissage et-ou aide à la gestion du budget
319|Conseils et accompagnements dans les démarches afin de mobiliser les mesures de protection adaptées
320|Mettre en oeuvre les mesures de protection juridiques
322|Prestation de restauration
323|Entretien du linge par l'établissement
324|Organisation du transport de la personne
325|Soutien et aide aux aidants et/ou à la famille/entourage
326|Formation des aidants
330|Promouvoir et sensibiliser aux activités physiques adaptées
332|Préparation et reconstitution centralisée des médicaments cytotoxiques (UPC, URC)
333|Soins de longue durée (SLD)
334|Activité de prévention
335|Coordination de parcours complexes
336|Education thérapeutique
337|Régulation médicale néonatale (CRRA)
338|Neuroradiologie
339|Kinésithérapie
340|Coordination plan de soins
341|Coordination plan d'aide
342|Accompagnement vie familiale
343|Exploration fonctionnelle respiratoire (EFR) pléthysmographie, gaz du sang
344|Exploration fonctionnelle cardiaque
345|Exploration fonctionnelle vasculaire
346|Exploration fonctionnelle neurologique
347|Exploration fonctionnelle ORL
348|Exploration fonctionnelle digestive
349|Exploration fonctionnelle urologique
350|Exploration fonctionnelle ophtalmologique
351|Soins intensifs médico-chirurgicaux (polyvalent)
352|Soins intensifs chirurgicaux
353|Soins intensifs médicaux
354|Soins intensifs spécialisés cardiologie (USIC)
355|Soins intensifs spécialisés en psychiatrie
356|Soins intensifs spécialisés neurologie vasculaire (USINV)
357|Soins intensifs spécialisés pneumologie
359|Soins intensifs spécialisés brûlés
360|Soins intensifs spécialisés cancérologie oncologie
361|Soins intensifs spécialisés hématologie
362|Soins intensifs spécialisés chirurgie cardiaque et gros vaisseaux
363|Soins intensifs spécialisés chirurgie thoracique et pulmonaire
364|Soins intensifs spécialisés chirurgie urologique
365|Soins intensifs spécialisés chirurgie viscérale et digestive
366|Soins intensifs spécialisés gynécologie obstétrique
367|Soins intensifs spécialisés hépato-gastro-entérologie (USIG)
368|Soins intensifs spécialisés maladies infectieuses et tropicales
369|Soins intensifs spécialisés néonatalogique
370|Soins intensifs spécialisés pédiatrique
371|Soins intensifs spécialisés néphrologique
372|Soins intensifs spécialisés neurochirurgicaux
373|Surveillance continue médico-chirurgicale (polyvalente)
374|Surveillance continue chirurgicale
375|Surveillance continue médicale
376|Surveillance continue spécialisée cardiologie
377|Surveillance continue spécialisée neurochirurgie
378|Surveillance continue spécialisée pneumologie
379|Surveillance continue spécialisée brûlés
380|Surveillance continue spécialisée cancérologie oncologie
381|Surveillance continue spécialisée chirurgie cardiaque et gros vaisseaux
382|Surveillance continue spécialisée chirurgie thoracique et pulmonaire
383|Surveillance continue spécialisée chirurgie urologique
384|Surveillance continue spécialisée chirurgie viscérale et digestive
385|Surveillance continue spécialisée gynécologie obstétrique
386|Surveillance continue spécialisée hépato-gastro-entérologie
387|Surveillance continue spécialisée néphrologique
388|Surveillance continue spécialisée neurologique
389|Surveillance continue spécialisée chirurgie maxillo-faciale et stomatologie
390|Surveillance continue spécialisée chirurgie orthopédique et traumatologie
391|Surveillance continue spécialisée pédiatrique
392|Hébergement temporaire d'urgence
393|Hébergement temporaire en sortie d'hospitalisation
394|Relayage (type baluchonnage)
395|Préparation hospitalière
396|Préparation pour essais cliniques
397|Pharmacie à Usage Intérieur (PUI)
398|Stérilisation des dispositifs médicaux
399|Préparation des médicaments radiopharmaceutiques
400|Vente de médicaments au public (rétrocession hospitalière)
401|Evaluation du logement et préconisation d'adaptation pour le maintien à domicile
402|Accompagnement à l'autonomie pour la mobilité et les déplacements
403|Apprentissage de l'autonomie pour la vie courante
404|Addictologie avec substance(s)
408|Chambre mortuaire
409|Oncologie médicale endocrinienne et thyroïdienne
410|Oncologie médicale os et tissus mous
411|Oncologie métastases osseuses
412|Onco-génétique
413|Exploration et suivi complexe en oncologie et hématologie
414|Soins de support en oncologie et hématologie
416|Soins Prolongés Complexes (USPC)
417|Kinésithérapie Spécialisée Neurologie
418|Kinésithérapie Spécialisée Orthopédie
419|Kinésithérapie Spécialisée Respiratoire
420|Kinésithérapie Spécialisée Cardiologie
421|Kinésithérapie Spécialisée Périnéologie
422|Kinésithérapie Spécialisée Vasculaire
423|Kinésithérapie Spécialisée ORL
424|Kinésithérapie Spécialisée Rhumatologie
425|Kinésithérapie Spécialisée Traumatologie
426|Kinésithérapie Spécialisée Dermatologie
427|Kinésithérapie Spécialisée du sport
428|Kinésithérapie Spécialisée Gériatrie
429|Réunion de Concertation Pluridisciplinaire (RCP) Oncologie pédiatrique
431|Endoscopie broncho-pulmonaire diagnostic
432|Endoscopie broncho-pulmonaire interventionnelle
433|Médecine Transfusionnelle et hémovigilance
434|Elaboration du plan d'aide individualisé
435|Expertise médicale (évaluation de préjudice)
436|Chirurgie du rachis
437|Médecine générale
438|Accompagnement dans le cadre d'un dispositif d'emploi accompagné (DEA)
439|Gynécologie endocrinienne
440|Chirurgie intracrânienne
441|Médecine bucco-dentaire
442|Chirurgie dentaire
443|Pédodontie ou odontologie pédiatrique
444|Endodontie
445|Biologie moléculaire sur prélèvement Anapath
446|Cytopathologie
447|Histopathologie
448|Diagnostic lié à un retard ou trouble du développement
449|Appui et coopération auprès des acteurs de l'enseignement
450|Accompagnement à la réduction des risques en addictologie
451|Exploration et prise en charge des troubles du sommeil
452|Exploration des troubles psycho-comportementaux et cognitifs
453|Médecine de l'adolescent
454|Radiologie polyvalente générale
455|Médecine thermale
457|Réunion de Concertation Pluridisciplinaire (RCP) Rhumatismes Inflammatoires Chroniques (RIC), maladies auto-immunes et biothérapies en rhumatologie
465|Réadaptation des fonctions sexuelles et de la reproduction
466|Chirurgie des varices
467|Chirurgie orthopédique et traumatologique spécialisée main
468|Chirurgie orthopédique et traumatologique spécialisée membres inférieurs
469|Chirurgie orthopédique et traumatologique spécialisée membres supérieurs (sauf la main)
470|Chirurgie orthopédique et traumatologique spécialisée tumeur
471|Orientation vers un médecin traitant acceptant de nouveaux patients
472|Veille et prévention de la récidive suicidaire
473|Chirurgie oncologique de la sphère oto-rhino-laryngée, cervico-faciale et maxillo-faciale
474|Chirurgie oncologique viscérale et digestive
475|Coordination de soins non-programmés
476|Exploration fonctionnelle de l'audition
477|Exploration fonctionnelle de la voix et de la déglutition
478|Exploration fonctionnelle des vertiges (audio vestibulaire)
479|Explorations fonctionnelles endocrinologie, diabétologie, métabolisme et nutrition
480|Médecine du sommeil
481|Médecine générale à orientation Allergologie
482|Médecine générale à orientation Andrologie
483|Médecine générale à orientation Diabétologie
484|Médecine générale à orientation Gériatrie, Gérontologie
485|Médecine générale à orientation Gynécologie médicale
486|Médecine générale à orientation Maladies infectieuses, parasitaires et tropicales
487|Médecine générale à orientation Médecine pédiatrique
488|Médecine générale à orientation Médecine vasculaire (Angiologie, Phlébologie)
489|Médecine générale à orientation Oncogériatrie (cancérologie)
490|Médecine générale à orientation Pathologies osseuses médicales
491|Médecine gériatrique aiguë
492|Neuroradiologie interventionnelle
493|Psychomotricité
494|Radiologie abdominale et digestive
495|Radiologie cardio-vasculaire
496|Radiologie gynécologique
497|Radiologie interventionnelle musculosquelettique
498|Radiologie interventionnelle oncologique
499|Radiologie interventionnelle pédiatrique
500|Radiologie interventionnelle vasculaire
501|Radiologie musculo-squelettique
502|Radiologie ORL et maxillo-faciale
503|Radiologie prénatale et pédiatrique
504|Radiologie sénologique (dont mammographie)
505|Radiologie thoracique
506|Transplantation d'organe
507|Uro-Radiologie
508|Exploration fonctionnelle de l'exercice et du sport
509|Traumatologie de l'activité physique et du sport
510|Échographie gynécologique et obstétricale (dont échographie de grossesse)
511|Accueil et hébergement spécialisé
512|Accueil et orientation des victimes de violences sexuelles
513|Réadaptation locomotrice des patients amputés
514|Réadaptation PREcoce Post-Aiguë Cardiologique (PREPAC)
515|Réadaptation PREcoce Post-Aiguë Respiratoire (PREPAR)
516|Réadaptation neuro-orthopédique
517|Réadaptation PREcoce Post-Aiguë Neurologique (PREPAN)
518|Réadaptation des troubles cognitifs et comportementaux des patients cérébro-lésés
519|Réadaptation des affections médullaires
520|Réadaptation de l'obésité complexe
521|Réadaptation des troubles cognitifs sévères liés à une conduite addictive
522|Réadaptation polyhandicap
523|Réadaptation des affections oncologiques
524|Réadaptation troubles du langage et des apprentissages
525|Evaluation et orientation des auteurs de violences sexuelles
526|Informer, évaluer, accompagner et orienter dans le cadre d'une orientation professionnelle
527|Suivi gynécologique de prévention
528|Suivi neuropsychologique
529|Suivi post-natal
530|Suivi prénatal (suivi de grossesse)
531|Réadaptation viroses chroniques
532|Réadaptation lymphologie
533|Accession à un logement individuel
534|Accompagnement infirmier pour téléconsultation médicale
535|Sexologie clinique
536|Chirurgie oncologique thoracique
537|Chirurgie oncologique urologique
538|Chirurgie oncologique gynécologique
539|Chirurgie oncologique mammaire
540|Chirurgie oncologique neurologique
541|Chirurgie oncologique ophtalmologique
542|Chirurgie oncologique dermatologique
543|Chirurgie oncologique des os et des tissus mous
544|Chirurgie oncologique de la thyroïde
545|Chimiothérapie intensive
`;

export const J17_CONCEPTS: [string, string][] = parseTable(TABLE);
