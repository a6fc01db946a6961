<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>daam::ui::AboutDialog</name>
    <message>
        <location filename="../ui/AboutDialog.cpp" line="62"/>
        <source>About DAAM Studio</source>
        <translation>Über DAAM Studio</translation>
    </message>
    <message>
        <location filename="../ui/AboutDialog.cpp" line="74"/>
        <source>Version %1</source>
        <translation>Version %1</translation>
    </message>
    <message>
        <location filename="../ui/AboutDialog.cpp" line="80"/>
        <source>See where each word of a prompt lands in a Stable Diffusion image.</source>
        <translation>Sehen Sie, wo jedes Wort eines Prompts in einem Stable-Diffusion-Bild landet.</translation>
    </message>
    <message>
        <location filename="../ui/AboutDialog.cpp" line="86"/>
        <source>GNU General Public License, version 3 or later</source>
        <translation>GNU General Public License, Version 3 oder neuer</translation>
    </message>
    <message>
        <location filename="../ui/AboutDialog.cpp" line="88"/>
        <source>DAAM Studio is free software: you may share and change it under the terms of the %1 (%2). It comes with ABSOLUTELY NO WARRANTY, to the extent permitted by law.</source>
        <translation>DAAM Studio ist freie Software: Sie dürfen es unter den Bedingungen der %1 (%2) weitergeben und verändern. Es wird OHNE JEDE GEWÄHRLEISTUNG bereitgestellt, soweit das Gesetz es zulässt.</translation>
    </message>
    <message>
        <location filename="../ui/AboutDialog.cpp" line="121"/>
        <source>colour maps from %1</source>
        <translation>Farbskalen aus %1</translation>
    </message>
    <message>
        <location filename="../ui/AboutDialog.cpp" line="126"/>
        <source>%1 colour map (Google)</source>
        <translation>Farbskala %1 (Google)</translation>
    </message>
    <message>
        <location filename="../ui/AboutDialog.cpp" line="137"/>
        <source>Third-party software</source>
        <translation>Software von Drittanbietern</translation>
    </message>
    <message>
        <location filename="../ui/AboutDialog.cpp" line="145"/>
        <source>If DAAM Studio helps your research, please cite the DAAM paper:</source>
        <translation>Wenn DAAM Studio Ihrer Forschung hilft, zitieren Sie bitte das DAAM-Paper:</translation>
    </message>
    <message>
        <location filename="../ui/AboutDialog.cpp" line="155"/>
        <source>BibTeX citation</source>
        <translation>BibTeX-Zitat</translation>
    </message>
    <message>
        <location filename="../ui/AboutDialog.cpp" line="183"/>
        <source>Copy &amp;BibTeX</source>
        <translation>&amp;BibTeX kopieren</translation>
    </message>
    <message>
        <location filename="../ui/AboutDialog.cpp" line="190"/>
        <source>Copied</source>
        <translation>Kopiert</translation>
    </message>
</context>
<context>
    <name>daam::ui::AnnotationPanel</name>
    <message>
        <location filename="../ui/AnnotationPanel.cpp" line="33"/>
        <source>Brush</source>
        <translation>Pinsel</translation>
    </message>
    <message>
        <location filename="../ui/AnnotationPanel.cpp" line="33"/>
        <source>Eraser</source>
        <translation>Radierer</translation>
    </message>
    <message>
        <location filename="../ui/AnnotationPanel.cpp" line="33"/>
        <source>Polygon</source>
        <translation>Polygon</translation>
    </message>
    <message>
        <location filename="../ui/AnnotationPanel.cpp" line="42"/>
        <source>Click the corners of the region; double-click closes and fills it</source>
        <translation>Klicken Sie die Ecken des Bereichs an; ein Doppelklick schließt und füllt ihn</translation>
    </message>
    <message>
        <location filename="../ui/AnnotationPanel.cpp" line="46"/>
        <source>Undo</source>
        <translation>Rückgängig</translation>
    </message>
    <message>
        <location filename="../ui/AnnotationPanel.cpp" line="50"/>
        <source>Clear</source>
        <translation>Leeren</translation>
    </message>
    <message>
        <location filename="../ui/AnnotationPanel.cpp" line="61"/>
        <source> px</source>
        <translation> px</translation>
    </message>
    <message>
        <location filename="../ui/AnnotationPanel.cpp" line="62"/>
        <source>Brush size:</source>
        <translation>Pinselgröße:</translation>
    </message>
    <message>
        <location filename="../ui/AnnotationPanel.cpp" line="65"/>
        <source>not rated</source>
        <translation>nicht bewertet</translation>
    </message>
    <message>
        <location filename="../ui/AnnotationPanel.cpp" line="66"/>
        <source>How well the word&apos;s map shows the word, from 1 (not at all) to 5 (exactly), as the paper&apos;s human study asked</source>
        <translation>Wie gut die Karte des Wortes das Wort zeigt, von 1 (gar nicht) bis 5 (genau), wie in der Nutzerstudie des Papers gefragt</translation>
    </message>
    <message>
        <location filename="../ui/AnnotationPanel.cpp" line="71"/>
        <source>Rating of the map:</source>
        <translation>Bewertung der Karte:</translation>
    </message>
    <message>
        <location filename="../ui/AnnotationPanel.cpp" line="78"/>
        <source>Save Annotations</source>
        <translation>Annotationen speichern</translation>
    </message>
    <message>
        <location filename="../ui/AnnotationPanel.cpp" line="79"/>
        <source>Write the masks and ratings into the session folder (annotations/)</source>
        <translation>Die Masken und Bewertungen in den Sitzungsordner schreiben (annotations/)</translation>
    </message>
    <message>
        <location filename="../ui/AnnotationPanel.cpp" line="81"/>
        <source>Export Ratings…</source>
        <translation>Bewertungen exportieren…</translation>
    </message>
    <message>
        <location filename="../ui/AnnotationPanel.cpp" line="82"/>
        <source>Write the session&apos;s ratings as CSV</source>
        <translation>Die Bewertungen der Sitzung als CSV schreiben</translation>
    </message>
    <message>
        <location filename="../ui/AnnotationPanel.cpp" line="98"/>
        <source>Annotating “%1”</source>
        <translation>Annotation von „%1“</translation>
    </message>
    <message>
        <location filename="../ui/AnnotationPanel.cpp" line="99"/>
        <source>Select a word of the prompt to outline its region and rate its map.</source>
        <translation>Wählen Sie ein Wort des Prompts, um seinen Bereich zu umreißen und seine Karte zu bewerten.</translation>
    </message>
</context>
<context>
    <name>daam::ui::CompareView</name>
    <message>
        <location filename="../ui/CompareView.cpp" line="72"/>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <location filename="../ui/CompareView.cpp" line="73"/>
        <source>Stop comparing</source>
        <translation>Vergleich beenden</translation>
    </message>
    <message>
        <location filename="../ui/CompareView.cpp" line="82"/>
        <source>This session</source>
        <translation>Diese Sitzung</translation>
    </message>
    <message>
        <location filename="../ui/CompareView.cpp" line="85"/>
        <source>Difference: red where this map is higher, blue where the other&apos;s is</source>
        <translation>Differenz: rot, wo diese Karte höher ist, blau, wo die andere höher ist</translation>
    </message>
    <message>
        <location filename="../ui/CompareView.cpp" line="114"/>
        <source>Compared with %1: %2</source>
        <translation>Verglichen mit %1: %2</translation>
    </message>
    <message>
        <location filename="../ui/CompareView.cpp" line="211"/>
        <source>Other session</source>
        <translation>Andere Sitzung</translation>
    </message>
    <message>
        <location filename="../ui/CompareView.cpp" line="212"/>
        <source>Select a word to compare its maps.</source>
        <translation>Wählen Sie ein Wort, um seine Karten zu vergleichen.</translation>
    </message>
    <message>
        <location filename="../ui/CompareView.cpp" line="213"/>
        <source>“%1” is not in the other session&apos;s prompt.</source>
        <translation>„%1“ steht nicht im Prompt der anderen Sitzung.</translation>
    </message>
    <message>
        <location filename="../ui/CompareView.cpp" line="219"/>
        <source>Other session, steps %1–%2 of %3</source>
        <translation>Andere Sitzung, Schritte %1–%2 von %3</translation>
    </message>
    <message>
        <location filename="../ui/CompareView.cpp" line="221"/>
        <source>“%1”: mean |this − other| = %2, largest %3.</source>
        <translation>„%1“: Mittel |diese − andere| = %2, größte %3.</translation>
    </message>
</context>
<context>
    <name>daam::ui::ExplorePanel</name>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="31"/>
        <source>Denoising steps</source>
        <translation>Entrauschungsschritte</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="34"/>
        <source>Step range</source>
        <translation>Schrittbereich</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="37"/>
        <location filename="../ui/ExplorePanel.cpp" line="214"/>
        <source>Play</source>
        <translation>Abspielen</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="38"/>
        <source>Slide the chosen range of steps through the denoising</source>
        <translation>Den gewählten Schrittbereich durch die Entrauschung schieben</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="51"/>
        <source>Layers</source>
        <translation>Schichten</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="56"/>
        <source>Sum the maps of all heads, as the paper does, or show one head&apos;s in every chosen layer (right-click a layer to choose its own). Over part of the steps a head needs the per-head maps a generation may keep.</source>
        <translation>Die Karten aller Köpfe summieren, wie im Paper, oder die eines Kopfes in jeder gewählten Schicht zeigen (Rechtsklick auf eine Schicht wählt ihre eigenen). Über einen Teil der Schritte braucht ein Kopf die Karten je Kopf, die eine Generierung behalten kann.</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="60"/>
        <source>&amp;Heads:</source>
        <translation>&amp;Köpfe:</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="71"/>
        <source>No layer selected: showing the paper&apos;s default layers</source>
        <translation>Keine Schicht gewählt: die Standardschichten des Papers werden gezeigt</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="78"/>
        <source>Mask</source>
        <translation>Maske</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="83"/>
        <source>Threshold τ: a pixel belongs to a word&apos;s mask where its normalized heat exceeds τ</source>
        <translation>Schwelle τ: Ein Pixel gehört zur Maske eines Wortes, wo dessen normierte Heat τ übersteigt</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="88"/>
        <source>&amp;Threshold τ:</source>
        <translation>&amp;Schwelle τ:</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="92"/>
        <source>Heat map (no mask)</source>
        <translation>Heatmap (keine Maske)</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="93"/>
        <source>Filled mask</source>
        <translation>Gefüllte Maske</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="94"/>
        <source>Mask outline</source>
        <translation>Maskenumriss</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="95"/>
        <source>Cut-out</source>
        <translation>Ausschnitt</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="96"/>
        <source>&amp;Show:</source>
        <translation>An&amp;zeigen:</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="97"/>
        <location filename="../ui/ExplorePanel.cpp" line="201"/>
        <source>Select two words (Ctrl+click) to compare their masks.</source>
        <translation>Wählen Sie zwei Wörter (Ctrl+Klick), um ihre Masken zu vergleichen.</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="105"/>
        <source>Display</source>
        <translation>Darstellung</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="108"/>
        <source>Jet (as in the paper)</source>
        <translation>Jet (wie im Paper)</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="109"/>
        <source>Viridis</source>
        <translation>Viridis</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="110"/>
        <source>Inferno</source>
        <translation>Inferno</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="111"/>
        <source>Magma</source>
        <translation>Magma</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="112"/>
        <source>Plasma</source>
        <translation>Plasma</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="113"/>
        <source>Cividis</source>
        <translation>Cividis</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="114"/>
        <source>Turbo</source>
        <translation>Turbo</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="115"/>
        <source>Gray</source>
        <translation>Grau</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="116"/>
        <source>Colour map of a single word&apos;s heat; several words each get their own hue</source>
        <translation>Farbskala für die Heat eines einzelnen Wortes; mehrere Wörter erhalten je einen eigenen Farbton</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="117"/>
        <source>&amp;Colours:</source>
        <translation>&amp;Farben:</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="121"/>
        <source>How strongly the heat map covers the image</source>
        <translation>Wie stark die Heatmap das Bild überdeckt</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="122"/>
        <source>&amp;Opacity:</source>
        <translation>Dec&amp;kkraft:</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="124"/>
        <source>Per word (paper)</source>
        <translation>Pro Wort (Paper)</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="125"/>
        <source>Shared across words</source>
        <translation>Gemeinsam für alle Wörter</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="126"/>
        <source>Absolute</source>
        <translation>Absolut</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="127"/>
        <source>Share of the words</source>
        <translation>Anteil an den Wörtern</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="128"/>
        <source>Per word stretches each map to 0–1; shared keeps words comparable; absolute shows raw attention; share gives each pixel&apos;s split among the prompt&apos;s words</source>
        <translation>„Pro Wort“ streckt jede Karte auf 0–1; „Gemeinsam“ hält Wörter vergleichbar; „Absolut“ zeigt die rohe Aufmerksamkeit; „Anteil“ zeigt, wie sich jedes Pixel auf die Wörter des Prompts aufteilt</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="131"/>
        <source>&amp;Normalize:</source>
        <translation>&amp;Normieren:</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="132"/>
        <source>Merge a repeated word&apos;s occurrences</source>
        <translation>Wiederholte Vorkommen eines Wortes zusammenfassen</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="133"/>
        <source>A word that occurs more than once: one map of all its occurrences, as castorini/daam computes it; unchecked, each chip shows its own occurrence&apos;s map</source>
        <translation>Ein Wort, das mehrfach vorkommt: eine Karte aller seiner Vorkommen, wie castorini/daam sie berechnet; ohne Haken zeigt jeder Chip die Karte seines eigenen Vorkommens</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="179"/>
        <source>All heads (paper)</source>
        <translation>Alle Köpfe (Paper)</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="181"/>
        <source>Head %1</source>
        <translation>Kopf %1</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="187"/>
        <source>Steps %1–%2 of %3</source>
        <translation>Schritte %1–%2 von %3</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="193"/>
        <source>Approximate: this session keeps no per-head maps (Generate ▸ Keep per-head maps for exact step ranges).</source>
        <translation>Näherung: Diese Sitzung hat keine Karten je Kopf (Erzeugen ▸ Karten je Kopf behalten für exakte Schrittbereiche).</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="195"/>
        <source>All heads shown: one head over part of the steps needs per-head maps (Generate ▸ Keep per-head maps).</source>
        <translation>Alle Köpfe gezeigt: Ein Kopf über einen Teil der Schritte braucht Karten je Kopf (Erzeugen ▸ Karten je Kopf behalten).</translation>
    </message>
    <message>
        <location filename="../ui/ExplorePanel.cpp" line="211"/>
        <source>Pause</source>
        <translation>Pause</translation>
    </message>
</context>
<context>
    <name>daam::ui::Exporter</name>
    <message>
        <location filename="../ui/Exporter.cpp" line="67"/>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <location filename="../ui/Exporter.cpp" line="106"/>
        <source>each map scaled to its own range (min–max, as the paper)</source>
        <translation>jede Karte auf ihren eigenen Bereich skaliert (Min–Max, wie im Paper)</translation>
    </message>
    <message>
        <location filename="../ui/Exporter.cpp" line="109"/>
        <source>one min–max scale for all the prompt&apos;s words</source>
        <translation>eine Min–Max-Skala für alle Wörter des Prompts</translation>
    </message>
    <message>
        <location filename="../ui/Exporter.cpp" line="111"/>
        <source>attention as aggregated (no scaling; above 1 drawn as 1)</source>
        <translation>Attention wie aggregiert (ohne Skalierung; über 1 als 1 gezeichnet)</translation>
    </message>
    <message>
        <location filename="../ui/Exporter.cpp" line="114"/>
        <source>the word&apos;s share of the prompt words&apos; attention</source>
        <translation>Anteil des Worts an der Attention der Prompt-Wörter</translation>
    </message>
    <message>
        <location filename="../ui/Exporter.cpp" line="137"/>
        <source>%1: nothing to export</source>
        <translation>%1: Nichts zu exportieren</translation>
    </message>
    <message>
        <location filename="../ui/Exporter.cpp" line="145"/>
        <source>%1: could not encode the image</source>
        <translation>%1: Das Bild konnte nicht kodiert werden</translation>
    </message>
    <message>
        <location filename="../ui/Exporter.cpp" line="192"/>
        <source>Image</source>
        <translation>Bild</translation>
    </message>
    <message>
        <location filename="../ui/Exporter.cpp" line="244"/>
        <source>%1: could not encode the figure</source>
        <translation>%1: Die Abbildung konnte nicht kodiert werden</translation>
    </message>
    <message>
        <location filename="../ui/Exporter.cpp" line="256"/>
        <location filename="../ui/Exporter.cpp" line="268"/>
        <source>DAAM heat maps</source>
        <translation>DAAM-Heatmaps</translation>
    </message>
</context>
<context>
    <name>daam::ui::GenerationPanel</name>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="47"/>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="71"/>
        <source>Describe the image, e.g. “a red dog on a bench”</source>
        <translation>Beschreiben Sie das Bild, z. B. „a red dog on a bench“</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="72"/>
        <location filename="../ui/GenerationPanel.cpp" line="75"/>
        <source>Prompt</source>
        <translation>Prompt</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="81"/>
        <source>Tokens the prompt takes, of the most the model&apos;s text encoder reads</source>
        <translation>Vom Prompt belegte Tokens und wie viele der Text-Encoder des Modells höchstens liest</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="88"/>
        <location filename="../ui/GenerationPanel.cpp" line="95"/>
        <source>Negative prompt</source>
        <translation>Negativer Prompt</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="94"/>
        <source>What the image should not show</source>
        <translation>Was das Bild nicht zeigen soll</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="122"/>
        <location filename="../ui/GenerationPanel.cpp" line="197"/>
        <source>…</source>
        <translation>…</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="116"/>
        <source>A diffusers folder, a single-file checkpoint (.safetensors) or a Hugging Face repo id (org/name) in the local cache; the list holds recent models and those found in the model folders</source>
        <translation>Ein diffusers-Ordner, ein Checkpoint in einer Datei (.safetensors) oder eine Hugging-Face-Repo-ID (org/name) im lokalen Cache; die Liste enthält die zuletzt benutzten Modelle und die in den Modellordnern gefundenen</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="123"/>
        <source>Choose a model, or where to look for models</source>
        <translation>Ein Modell wählen oder festlegen, wo nach Modellen gesucht wird</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="126"/>
        <source>Choose a model folder…</source>
        <translation>Modellordner wählen…</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="127"/>
        <source>Choose a checkpoint file…</source>
        <translation>Checkpoint-Datei wählen…</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="129"/>
        <source>Add a folder to search for models…</source>
        <translation>Ordner zur Modellsuche hinzufügen…</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="130"/>
        <source>Search the model folders again</source>
        <translation>Modellordner erneut durchsuchen</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="138"/>
        <source>&amp;Model:</source>
        <translation>&amp;Modell:</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="144"/>
        <source>Seed</source>
        <translation>Seed</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="145"/>
        <source>The same seed, prompt and settings give the same image</source>
        <translation>Gleicher Seed, gleicher Prompt und gleiche Einstellungen ergeben dasselbe Bild</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="147"/>
        <source>Random</source>
        <translation>Zufällig</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="148"/>
        <location filename="../ui/GenerationPanel.cpp" line="149"/>
        <source>Random seed</source>
        <translation>Zufälliger Seed</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="156"/>
        <source>&amp;Seed:</source>
        <translation>&amp;Seed:</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="163"/>
        <source>Denoising steps</source>
        <translation>Entrauschungsschritte</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="164"/>
        <source>S&amp;teps:</source>
        <translation>Schri&amp;tte:</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="169"/>
        <source>Classifier-free guidance scale; 1 or less turns guidance off</source>
        <translation>Stärke der Classifier-free Guidance; 1 oder weniger schaltet sie ab</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="170"/>
        <source>&amp;Guidance:</source>
        <translation>&amp;Guidance:</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="172"/>
        <location filename="../ui/GenerationPanel.cpp" line="177"/>
        <source>Model default</source>
        <translation>Modellstandard</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="175"/>
        <source>Sc&amp;heduler:</source>
        <translation>Sc&amp;heduler:</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="179"/>
        <source>%1 × %1</source>
        <translation>%1 × %1</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="180"/>
        <source>Si&amp;ze:</source>
        <translation>&amp;Bildgröße:</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="182"/>
        <source>diffusers (plain, 75 tokens)</source>
        <translation>diffusers (reiner Text, 75 Token)</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="183"/>
        <source>A1111 (weights, BREAK, any length)</source>
        <translation>A1111 (Gewichte, BREAK, beliebige Länge)</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="184"/>
        <source>diffusers reads the prompt as plain text and at most 75 tokens of it. A1111 reads (word), [word], (word:1.3) and BREAK, and any length in windows of 75 tokens; every word of every window gets its map.</source>
        <translation>diffusers liest den Prompt als reinen Text und höchstens 75 Token davon. A1111 liest (Wort), [Wort], (Wort:1.3) und BREAK, und jede Länge in Fenstern zu 75 Token; jedes Wort jedes Fensters erhält seine Karte.</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="188"/>
        <source>Prompt s&amp;yntax:</source>
        <translation>Prompt-S&amp;yntax:</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="191"/>
        <source>none: text to image</source>
        <translation>keines: Text zu Bild</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="193"/>
        <source>Start from this image (or drop one on the window): it is encoded, noised to the start below and denoised with the prompt, so the maps show where the model puts each word in it. The size above resizes it; Model default keeps its own size.</source>
        <translation>Von diesem Bild ausgehen (oder eines auf das Fenster ziehen): Es wird kodiert, bis zum Start unten verrauscht und mit dem Prompt entrauscht, sodass die Karten zeigen, wohin das Modell jedes Wort darin legt. Die Größe oben skaliert es; „Modellvorgabe“ behält seine eigene Größe.</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="198"/>
        <source>Choose an image</source>
        <translation>Bild wählen</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="201"/>
        <source>Start from an image</source>
        <translation>Von einem Bild ausgehen</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="202"/>
        <source>Images (*.png *.jpg *.jpeg *.webp *.bmp)</source>
        <translation>Bilder (*.png *.jpg *.jpeg *.webp *.bmp)</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="208"/>
        <source>&amp;Image:</source>
        <translation>&amp;Bild:</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="212"/>
        <source>Explain from t =</source>
        <translation>Erklären ab t =</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="213"/>
        <source>Redraw, strength</source>
        <translation>Neu zeichnen, Stärke</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="214"/>
        <source>Explain: noise the image to this timestep and trace the denoising that follows (low keeps the image). Redraw: diffusers&apos; image-to-image, running this share of the schedule (1 keeps nothing of the image).</source>
        <translation>Erklären: das Bild bis zu diesem Zeitschritt verrauschen und das folgende Entrauschen aufzeichnen (niedrig bewahrt das Bild). Neu zeichnen: Bild-zu-Bild wie in diffusers, mit diesem Anteil des Ablaufs (1 bewahrt nichts vom Bild).</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="220"/>
        <source>Start timestep</source>
        <translation>Start-Zeitschritt</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="225"/>
        <source>Strength</source>
        <translation>Stärke</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="240"/>
        <source>Start:</source>
        <translation>Start:</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="252"/>
        <source>original</source>
        <translation>Original</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="253"/>
        <source>crop 0,0</source>
        <translation>Ausschnitt 0,0</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="254"/>
        <source>target</source>
        <translation>Ziel</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="258"/>
        <source>SD&amp;XL sizes:</source>
        <translation>SD&amp;XL-Größen:</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="260"/>
        <source>SDXL only: the original size (W×H), the crop&apos;s top-left corner (T,L) and the target size (W×H) the UNet is told; empty: the image size and no crop, as diffusers does</source>
        <translation>Nur SDXL: die Originalgröße (B×H), die linke obere Ecke des Ausschnitts (O,L) und die Zielgröße (B×H), die dem UNet mitgeteilt werden; leer: die Bildgröße und kein Ausschnitt, wie bei diffusers</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="269"/>
        <source>Where the model runs: the CPU, or one of the CUDA GPUs this build finds</source>
        <translation>Wo das Modell rechnet: auf der CPU oder auf einer der CUDA-GPUs, die dieser Build findet</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="271"/>
        <source>float32</source>
        <translation>float32</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="272"/>
        <source>As the model was trained: what the reference results are checked against</source>
        <translation>Wie das Modell trainiert wurde: daran werden die Referenzergebnisse geprüft</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="274"/>
        <source>bfloat16</source>
        <translation>bfloat16</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="276"/>
        <source>Less memory, and about twice as fast on CPUs with bfloat16 instructions and on GPUs; heat maps about 1% from float32&apos;s</source>
        <translation>Weniger Speicher und etwa doppelt so schnell auf CPUs mit bfloat16-Befehlen und auf GPUs; Heatmaps etwa 1 % von denen in float32 entfernt</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="279"/>
        <source>float16</source>
        <translation>float16</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="280"/>
        <source>Less memory and the fastest on GPUs; CUDA only</source>
        <translation>Weniger Speicher und auf GPUs am schnellsten; nur mit CUDA</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="281"/>
        <source>The number format the model computes in</source>
        <translation>Das Zahlenformat, in dem das Modell rechnet</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="282"/>
        <source>Precision</source>
        <translation>Genauigkeit</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="418"/>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="287"/>
        <source>&amp;Device:</source>
        <translation>Ge&amp;rät:</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="290"/>
        <source>Keep per-head maps</source>
        <translation>Karten je Kopf behalten</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="291"/>
        <source>Keep every step&apos;s map of every head: exact step ranges and single heads in the Layers panel, for a trace as many times larger as the layers have heads</source>
        <translation>Die Karte jedes Kopfes in jedem Schritt behalten: exakte Schrittbereiche und einzelne Köpfe im Ebenen-Bereich, für eine Aufzeichnung, die so viel mal größer ist, wie die Ebenen Köpfe haben</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="296"/>
        <location filename="../ui/GenerationPanel.cpp" line="661"/>
        <source>&amp;Generate</source>
        <translation>&amp;Erzeugen</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="297"/>
        <location filename="../ui/GenerationPanel.cpp" line="663"/>
        <source>Generate the image and trace its attention (Ctrl+Return)</source>
        <translation>Bild erzeugen und seine Attention verfolgen (Ctrl+Return)</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="299"/>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="300"/>
        <source>Stop the generation after the current step (Esc)</source>
        <translation>Die Erzeugung nach dem aktuellen Schritt anhalten (Esc)</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="324"/>
        <source>Denoising preview</source>
        <translation>Vorschau der Entrauschung</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="344"/>
        <source>Shapes (plain)</source>
        <translation>Formen (schlicht)</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="345"/>
        <source>Shapes (attention-supervised)</source>
        <translation>Formen (Attention überwacht)</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="351"/>
        <source>A small model of a world of coloured shapes, trained as Stable Diffusion is: its maps are what DAAM finds in a model nobody showed where to look.</source>
        <translation>Ein kleines Modell einer Welt farbiger Formen, trainiert wie Stable Diffusion: Seine Karten zeigen, was DAAM in einem Modell findet, dem niemand gezeigt hat, wohin es schauen soll.</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="354"/>
        <source>The same model with its cross-attention also taught where each object is: its maps are close to what it was taught, not only what DAAM finds.</source>
        <translation>Dasselbe Modell, dessen Cross-Attention zusätzlich gelernt hat, wo jedes Objekt liegt: Seine Karten liegen nahe an dem, was ihm beigebracht wurde, nicht nur an dem, was DAAM findet.</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="419"/>
        <source>CUDA GPU %1</source>
        <translation>CUDA-GPU %1</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="442"/>
        <source>%1 (not found)</source>
        <translation>%1 (nicht gefunden)</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="518"/>
        <source>%1 × %2</source>
        <translation>%1 × %2</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="536"/>
        <source>%1 steps is outside %2–%3: set to %4.</source>
        <translation>%1 Schritte liegen außerhalb von %2–%3: auf %4 gesetzt.</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="545"/>
        <source>Guidance %1 is outside %2–%3.</source>
        <translation>Guidance %1 liegt außerhalb von %2–%3.</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="555"/>
        <source>DDIM&apos;s eta %1 is not among these settings: generating here uses 0.</source>
        <translation>Das Eta %1 von DDIM gehört nicht zu diesen Einstellungen: hier wird mit 0 erzeugt.</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="559"/>
        <source>Made with the model “%1”; the model above is kept.</source>
        <translation>Mit dem Modell „%1“ erzeugt; das Modell oben bleibt eingestellt.</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="629"/>
        <source>Choose a diffusers model folder</source>
        <translation>Diffusers-Modellordner wählen</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="634"/>
        <source>Choose a checkpoint file</source>
        <translation>Checkpoint-Datei wählen</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="635"/>
        <source>Checkpoints (*.safetensors);;All files (*)</source>
        <translation>Checkpoints (*.safetensors);;Alle Dateien (*)</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="640"/>
        <source>Add a folder to search for models</source>
        <translation>Ordner zur Modellsuche hinzufügen</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="661"/>
        <source>Restart</source>
        <translation>Neu starten</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="662"/>
        <source>Cancel this generation and start again with the current settings (Ctrl+Return)</source>
        <translation>Diese Erzeugung abbrechen und mit den aktuellen Einstellungen neu beginnen (Ctrl+Return)</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="670"/>
        <source>Starting…</source>
        <translation>Wird gestartet…</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="677"/>
        <source>Loading the model from %1…</source>
        <translation>Modell wird aus %1 geladen…</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="683"/>
        <source>Step %1 of %2</source>
        <translation>Schritt %1 von %2</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="684"/>
        <source>%1 elapsed, about %2 left</source>
        <translation>%1 vergangen, noch etwa %2</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="700"/>
        <source>Tokens: %1, in %2 windows of %3</source>
        <translation>Token: %1, in %2 Fenstern zu %3</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="702"/>
        <source>Tokens: %1 / %2, too many: the text encoder reads %2. Shorten it, or read it with A1111&apos;s syntax, to generate.</source>
        <translation>Token: %1 / %2, zu viele: Der Text-Encoder liest %2. Kürzen Sie den Prompt oder lesen Sie ihn mit der A1111-Syntax, um zu erzeugen.</translation>
    </message>
    <message>
        <location filename="../ui/GenerationPanel.cpp" line="706"/>
        <source>Tokens: %1 / %2</source>
        <translation>Tokens: %1 / %2</translation>
    </message>
</context>
<context>
    <name>daam::ui::ImageView</name>
    <message>
        <location filename="../ui/ImageView.cpp" line="19"/>
        <source>Wheel or +/- zooms, drag pans, double-click or 0 fits the image.</source>
        <translation>Mausrad oder +/- zoomt, Ziehen verschiebt, Doppelklick oder 0 passt das Bild ein.</translation>
    </message>
    <message>
        <location filename="../ui/ImageView.cpp" line="20"/>
        <source>Image with heat map</source>
        <translation>Bild mit Heatmap</translation>
    </message>
    <message>
        <location filename="../ui/ImageView.cpp" line="71"/>
        <source>Open a session (File ▸ Open, or drop its folder here) or generate an image.</source>
        <translation>Öffnen Sie eine Sitzung (Datei ▸ Öffnen, oder ihren Ordner hierher ziehen) oder erzeugen Sie ein Bild.</translation>
    </message>
</context>
<context>
    <name>daam::ui::LayerSelector</name>
    <message>
        <location filename="../ui/LayerSelector.cpp" line="26"/>
        <source>Mid block</source>
        <translation>Mid-Block</translation>
    </message>
    <message>
        <location filename="../ui/LayerSelector.cpp" line="23"/>
        <source>All layers</source>
        <translation>Alle Schichten</translation>
    </message>
    <message>
        <location filename="../ui/LayerSelector.cpp" line="24"/>
        <source>Paper default</source>
        <translation>Standard des Papers</translation>
    </message>
    <message>
        <location filename="../ui/LayerSelector.cpp" line="25"/>
        <source>Down blocks</source>
        <translation>Down-Blöcke</translation>
    </message>
    <message>
        <location filename="../ui/LayerSelector.cpp" line="27"/>
        <source>Up blocks</source>
        <translation>Up-Blöcke</translation>
    </message>
    <message>
        <location filename="../ui/LayerSelector.cpp" line="28"/>
        <source>%1 maps</source>
        <translation>%1-Karten</translation>
    </message>
    <message>
        <location filename="../ui/LayerSelector.cpp" line="37"/>
        <source>&amp;Preset:</source>
        <translation>&amp;Vorgabe:</translation>
    </message>
    <message>
        <location filename="../ui/LayerSelector.cpp" line="47"/>
        <source>Cross-attention layers whose maps are averaged. Right-click a layer to choose its heads.</source>
        <translation>Cross-Attention-Schichten, deren Karten gemittelt werden. Rechtsklick auf eine Schicht wählt ihre Köpfe.</translation>
    </message>
    <message>
        <location filename="../ui/LayerSelector.cpp" line="96"/>
        <source>Heads in %1</source>
        <translation>Köpfe in %1</translation>
    </message>
    <message>
        <location filename="../ui/LayerSelector.cpp" line="106"/>
        <source>As the Heads box chooses</source>
        <translation>Wie im Feld „Köpfe“ gewählt</translation>
    </message>
    <message>
        <location filename="../ui/LayerSelector.cpp" line="107"/>
        <source>All heads of this layer</source>
        <translation>Alle Köpfe dieser Schicht</translation>
    </message>
    <message>
        <location filename="../ui/LayerSelector.cpp" line="110"/>
        <source>Head %1</source>
        <translation>Kopf %1</translation>
    </message>
    <message>
        <location filename="../ui/LayerSelector.cpp" line="56"/>
        <source>Choose a group of layers. Paper default: the down and up blocks without 8×8 maps, as castorini/daam averages them.</source>
        <translation>Eine Gruppe von Schichten wählen. Standard des Papers: die Down- und Up-Blöcke ohne 8×8-Karten, wie castorini/daam sie mittelt.</translation>
    </message>
</context>
<context>
    <name>daam::ui::LayerTreeModel</name>
    <message>
        <location filename="../ui/LayerTreeModel.cpp" line="17"/>
        <source>Down block %1</source>
        <translation>Down-Block %1</translation>
    </message>
    <message>
        <location filename="../ui/LayerTreeModel.cpp" line="19"/>
        <source>Mid block</source>
        <translation>Mid-Block</translation>
    </message>
    <message>
        <location filename="../ui/LayerTreeModel.cpp" line="21"/>
        <source>Up block %1</source>
        <translation>Up-Block %1</translation>
    </message>
    <message>
        <location filename="../ui/LayerTreeModel.cpp" line="39"/>
        <source>down %1</source>
        <translation>down %1</translation>
    </message>
    <message>
        <location filename="../ui/LayerTreeModel.cpp" line="42"/>
        <source>mid</source>
        <translation>mid</translation>
    </message>
    <message>
        <location filename="../ui/LayerTreeModel.cpp" line="45"/>
        <source>up %1</source>
        <translation>up %1</translation>
    </message>
    <message>
        <location filename="../ui/LayerTreeModel.cpp" line="57"/>
        <source>attention %1</source>
        <translation>Attention %1</translation>
    </message>
    <message>
        <location filename="../ui/LayerTreeModel.cpp" line="58"/>
        <source>block %1</source>
        <translation>Block %1</translation>
    </message>
    <message>
        <location filename="../ui/LayerTreeModel.cpp" line="94"/>
        <source>%1 maps</source>
        <translation>%1-Karten</translation>
    </message>
    <message>
        <location filename="../ui/LayerTreeModel.cpp" line="190"/>
        <source>all heads</source>
        <translation>alle Köpfe</translation>
    </message>
    <message>
        <location filename="../ui/LayerTreeModel.cpp" line="191"/>
        <source>head %1</source>
        <translation>Kopf %1</translation>
    </message>
    <message>
        <location filename="../ui/LayerTreeModel.cpp" line="192"/>
        <source>heads %1</source>
        <translation>Köpfe %1</translation>
    </message>
    <message>
        <location filename="../ui/LayerTreeModel.cpp" line="200"/>
        <source>%1 (heads: %2)</source>
        <translation>%1 (Köpfe: %2)</translation>
    </message>
</context>
<context>
    <name>daam::ui::MainWindow</name>
    <message>
        <location filename="../ui/MainWindow.cpp" line="86"/>
        <location filename="../ui/MainWindow.cpp" line="1112"/>
        <source>DAAM Studio</source>
        <translation>DAAM Studio</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="113"/>
        <location filename="../ui/MainWindow.cpp" line="367"/>
        <source>Point at the image to see which words drew each spot.</source>
        <translation>Zeigen Sie auf das Bild, um zu sehen, welche Wörter jede Stelle gezeichnet haben.</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="115"/>
        <source>Values under the cursor</source>
        <translation>Werte unter dem Mauszeiger</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="119"/>
        <source>Explore</source>
        <translation>Erkunden</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="129"/>
        <source>Plots</source>
        <translation>Diagramme</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="139"/>
        <source>Generate</source>
        <translation>Erzeugen</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="153"/>
        <source>Compare</source>
        <translation>Vergleich</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="160"/>
        <source>Annotate</source>
        <translation>Annotieren</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="199"/>
        <source>Write a prompt first.</source>
        <translation>Schreiben Sie zuerst einen Prompt.</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="200"/>
        <source>Choose a model folder first.</source>
        <translation>Wählen Sie zuerst einen Modellordner.</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="210"/>
        <location filename="../ui/MainWindow.cpp" line="211"/>
        <source>Generation failed: %1</source>
        <translation>Erzeugung fehlgeschlagen: %1</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="214"/>
        <source>Cancelled.</source>
        <translation>Abgebrochen.</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="216"/>
        <source>Done in %1 s.</source>
        <translation>Fertig in %1 s.</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="240"/>
        <source>Ready</source>
        <translation>Bereit</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="258"/>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="259"/>
        <source>&amp;Open Session…</source>
        <translation>Sitzung ö&amp;ffnen…</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="261"/>
        <source>Open &amp;Recent</source>
        <translation>&amp;Zuletzt geöffnet</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="263"/>
        <source>&amp;Compare With Session…</source>
        <translation>Mit Sitzung &amp;vergleichen…</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="265"/>
        <source>Settings from &amp;PNG…</source>
        <translation>Einstellungen aus &amp;PNG…</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="267"/>
        <source>&amp;Save Session As…</source>
        <translation>Sitzung &amp;speichern unter…</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="270"/>
        <source>Export &amp;Overlay as PNG…</source>
        <translation>&amp;Overlay als PNG exportieren…</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="272"/>
        <source>Export &amp;Figure (PNG, SVG, PDF)…</source>
        <translation>&amp;Abbildung exportieren (PNG, SVG, PDF)…</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="274"/>
        <source>Export &amp;Masks as PNG…</source>
        <translation>&amp;Masken als PNG exportieren…</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="275"/>
        <source>Export Map &amp;Values (.npy, .safetensors)…</source>
        <translation>Karten&amp;werte exportieren (.npy, .safetensors)…</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="277"/>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="280"/>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="284"/>
        <source>&amp;Fit Image</source>
        <translation>Bild &amp;einpassen</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="286"/>
        <source>&amp;Language</source>
        <translation>&amp;Sprache</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="292"/>
        <source>System Language</source>
        <translation>Systemsprache</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="305"/>
        <source>Language</source>
        <translation>Sprache</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="306"/>
        <source>The new language takes effect when DAAM Studio is started again.</source>
        <translation>Die neue Sprache wird beim nächsten Start von DAAM Studio wirksam.</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="310"/>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="312"/>
        <source>&amp;About DAAM Studio…</source>
        <translation>&amp;Über DAAM Studio…</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="419"/>
        <source>Computing heat maps…</source>
        <translation>Heatmaps werden berechnet…</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="440"/>
        <source>Could not compute the heat maps: %1</source>
        <translation>Die Heatmaps konnten nicht berechnet werden: %1</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="515"/>
        <source>Syntax: %1</source>
        <translation>Syntax: %1</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="517"/>
        <source>Syntax: the parser relates none of the prompt&apos;s words</source>
        <translation>Syntax: Der Parser setzt keine Wörter des Prompts in Beziehung</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="519"/>
        <source>Syntax unavailable: %1</source>
        <translation>Syntax nicht verfügbar: %1</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="545"/>
        <source>Draw the word&apos;s region to score its map against it.</source>
        <translation>Zeichnen Sie den Bereich des Wortes, um seine Karte daran zu messen.</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="555"/>
        <source>IoU of the map at τ = %1 with the drawn region: %2</source>
        <translation>IoU der Karte bei τ = %1 mit dem gezeichneten Bereich: %2</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="566"/>
        <source>IoU(%1, %2) = %3
IoA(%1 in %2) = %4 · IoA(%2 in %1) = %5</source>
        <translation>IoU(%1, %2) = %3
IoA(%1 in %2) = %4 · IoA(%2 in %1) = %5</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="575"/>
        <source>%1(%2 → %3)
</source>
        <translation>%1(%2 → %3)
</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="636"/>
        <source>%1 %2</source>
        <translation>%1 %2</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="637"/>
        <source>x %1, y %2 — %3</source>
        <translation>x %1, y %2 — %3</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="681"/>
        <source>Opening %1…</source>
        <translation>%1 wird geöffnet …</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="740"/>
        <source>Could not save the annotations: %1</source>
        <translation>Die Annotationen konnten nicht gespeichert werden: %1</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="738"/>
        <source>Saved the annotations in %1</source>
        <translation>Annotationen in %1 gespeichert</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="748"/>
        <source>Export the ratings</source>
        <translation>Bewertungen exportieren</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="748"/>
        <source>CSV files (*.csv)</source>
        <translation>CSV-Dateien (*.csv)</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="755"/>
        <source>Could not export the ratings: %1</source>
        <translation>Die Bewertungen konnten nicht exportiert werden: %1</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="762"/>
        <source>Opening %1 to compare…</source>
        <translation>%1 wird zum Vergleich geöffnet…</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="766"/>
        <source>Could not compare with %1: %2</source>
        <translation>Vergleich mit %1 nicht möglich: %2</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="771"/>
        <source>Comparing with %1</source>
        <translation>Vergleich mit %1</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="779"/>
        <source>Open or generate a session first, then compare it with another.</source>
        <translation>Öffnen oder erzeugen Sie zuerst eine Sitzung und vergleichen Sie sie dann mit einer anderen.</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="781"/>
        <source>Compare with a session folder</source>
        <translation>Mit einem Sitzungsordner vergleichen</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="795"/>
        <source>Reading the settings of %1…</source>
        <translation>Die Einstellungen von %1 werden gelesen …</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="824"/>
        <source>%1 carries no settings: %2</source>
        <translation>%1 enthält keine Einstellungen: %2</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="830"/>
        <source>Could not take the settings of a PNG: %1</source>
        <translation>Die Einstellungen eines PNG konnten nicht übernommen werden: %1</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="837"/>
        <source>Settings from %1 (%2).</source>
        <translation>Einstellungen aus %1 (%2).</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="857"/>
        <source>Could not open the session %1: %2</source>
        <translation>Die Sitzung %1 konnte nicht geöffnet werden: %2</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="865"/>
        <source>Opened %1</source>
        <translation>%1 geöffnet</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="886"/>
        <source>Settings of the session %1.</source>
        <translation>Einstellungen der Sitzung %1.</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="905"/>
        <source>The session&apos;s settings were not taken: %1</source>
        <translation>Die Einstellungen der Sitzung wurden nicht übernommen: %1</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="912"/>
        <source>The generated session cannot be shown: %1</source>
        <translation>Die erzeugte Sitzung kann nicht angezeigt werden: %1</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="925"/>
        <source>Saving %1…</source>
        <translation>%1 wird gespeichert …</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="935"/>
        <source>Could not save the session: %1</source>
        <translation>Die Sitzung konnte nicht gespeichert werden: %1</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="945"/>
        <source>Saved %1</source>
        <translation>%1 gespeichert</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="1012"/>
        <source>Nothing to export: open or generate a session first.</source>
        <translation>Nichts zu exportieren: Öffnen oder erzeugen Sie zuerst eine Sitzung.</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="1006"/>
        <location filename="../ui/MainWindow.cpp" line="1088"/>
        <source>Export failed: %1</source>
        <translation>Export fehlgeschlagen: %1</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="1015"/>
        <location filename="../ui/MainWindow.cpp" line="1054"/>
        <location filename="../ui/MainWindow.cpp" line="1071"/>
        <location filename="../ui/MainWindow.cpp" line="1092"/>
        <source>Wrote %1</source>
        <translation>%1 geschrieben</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="1041"/>
        <source>Export failed: %1: use a .png, .svg or .pdf file name</source>
        <translation>Export fehlgeschlagen: %1: Verwenden Sie einen Dateinamen auf .png, .svg oder .pdf</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="982"/>
        <source>Nothing to export: select at least one word.</source>
        <translation>Nichts zu exportieren: Wählen Sie mindestens ein Wort.</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="1060"/>
        <source>Export failed: %1: use a .npy or .safetensors file name</source>
        <translation>Export fehlgeschlagen: %1: Dateiname auf .npy oder .safetensors verwenden</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="1081"/>
        <source>Masks written: %1</source>
        <translation>Masken geschrieben: %1</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="1113"/>
        <source>unsaved</source>
        <translation>nicht gespeichert</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="1114"/>
        <source>%1 (%2) — DAAM Studio</source>
        <translation>%1 (%2) — DAAM Studio</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="1171"/>
        <source>Type what the image shows in the prompt, then Generate: its words get maps over the image.</source>
        <translation>Beschreiben Sie im Prompt, was das Bild zeigt, dann „Erzeugen“: Seine Wörter erhalten Karten über dem Bild.</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="1178"/>
        <source>Open a session folder</source>
        <translation>Sitzungsordner öffnen</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="1183"/>
        <source>Take the settings of an image</source>
        <translation>Einstellungen eines Bildes übernehmen</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="922"/>
        <location filename="../ui/MainWindow.cpp" line="1189"/>
        <source>Nothing to save: open or generate a session first.</source>
        <translation>Nichts zu speichern: Öffnen oder erzeugen Sie zuerst eine Sitzung.</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="1190"/>
        <source>Save the session as a folder</source>
        <translation>Sitzung als Ordner speichern</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="1196"/>
        <source>Export the overlay</source>
        <translation>Overlay exportieren</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="1184"/>
        <location filename="../ui/MainWindow.cpp" line="1196"/>
        <location filename="../ui/MainWindow.cpp" line="1224"/>
        <source>PNG images (*.png)</source>
        <translation>PNG-Bilder (*.png)</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="1203"/>
        <source>Export a figure</source>
        <translation>Abbildung exportieren</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="1204"/>
        <source>PNG image (*.png);;SVG drawing (*.svg);;PDF document (*.pdf)</source>
        <translation>PNG-Bild (*.png);;SVG-Zeichnung (*.svg);;PDF-Dokument (*.pdf)</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="1210"/>
        <source>Figure resolution</source>
        <translation>Auflösung der Abbildung</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="1210"/>
        <source>Dots per inch:</source>
        <translation>Punkte pro Zoll (dpi):</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="1217"/>
        <source>Export the maps as numbers</source>
        <translation>Karten als Zahlen exportieren</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="1218"/>
        <source>safetensors (*.safetensors);;NumPy arrays (*.npy)</source>
        <translation>safetensors (*.safetensors);;NumPy-Arrays (*.npy)</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="1224"/>
        <source>Export masks</source>
        <translation>Masken exportieren</translation>
    </message>
</context>
<context>
    <name>daam::ui::ModelScanner</name>
    <message>
        <location filename="../ui/ModelScanner.cpp" line="25"/>
        <source>cannot be opened</source>
        <translation>kann nicht geöffnet werden</translation>
    </message>
</context>
<context>
    <name>daam::ui::PlotsPanel</name>
    <message>
        <location filename="../ui/PlotsPanel.cpp" line="64"/>
        <source>Attention mass per step</source>
        <translation>Attention-Masse pro Schritt</translation>
    </message>
    <message>
        <location filename="../ui/PlotsPanel.cpp" line="65"/>
        <source>Share per layer</source>
        <translation>Anteil pro Schicht</translation>
    </message>
    <message>
        <location filename="../ui/PlotsPanel.cpp" line="66"/>
        <source>Heat values</source>
        <translation>Heat-Werte</translation>
    </message>
    <message>
        <location filename="../ui/PlotsPanel.cpp" line="67"/>
        <source>denoising step</source>
        <translation>Entrauschungsschritt</translation>
    </message>
    <message>
        <location filename="../ui/PlotsPanel.cpp" line="68"/>
        <source>mean attention</source>
        <translation>mittlere Attention</translation>
    </message>
    <message>
        <location filename="../ui/PlotsPanel.cpp" line="69"/>
        <source>layer</source>
        <translation>Schicht</translation>
    </message>
    <message>
        <location filename="../ui/PlotsPanel.cpp" line="70"/>
        <location filename="../ui/PlotsPanel.cpp" line="233"/>
        <source>heat</source>
        <translation>Heat</translation>
    </message>
    <message>
        <location filename="../ui/PlotsPanel.cpp" line="71"/>
        <source>pixels</source>
        <translation>Pixel</translation>
    </message>
    <message>
        <location filename="../ui/PlotsPanel.cpp" line="73"/>
        <source>How much attention the selected words receive at each step; the shaded band is the chosen range</source>
        <translation>Wie viel Attention die gewählten Wörter in jedem Schritt erhalten; das schattierte Band ist der gewählte Bereich</translation>
    </message>
    <message>
        <location filename="../ui/PlotsPanel.cpp" line="74"/>
        <source>Each layer&apos;s part of the selected word&apos;s heat map</source>
        <translation>Anteil jeder Schicht an der Heatmap des gewählten Wortes</translation>
    </message>
    <message>
        <location filename="../ui/PlotsPanel.cpp" line="75"/>
        <source>Distribution of the selected word&apos;s heat values; the line is the threshold τ</source>
        <translation>Verteilung der Heat-Werte des gewählten Wortes; die Linie ist die Schwelle τ</translation>
    </message>
    <message>
        <location filename="../ui/PlotsPanel.cpp" line="85"/>
        <source>Save Plot As…</source>
        <translation>Diagramm speichern unter…</translation>
    </message>
    <message>
        <location filename="../ui/PlotsPanel.cpp" line="86"/>
        <source>Save the plot</source>
        <translation>Diagramm speichern</translation>
    </message>
    <message>
        <location filename="../ui/PlotsPanel.cpp" line="87"/>
        <source>PNG (*.png);;PDF (*.pdf);;SVG (*.svg)</source>
        <translation>PNG (*.png);;PDF (*.pdf);;SVG (*.svg)</translation>
    </message>
    <message>
        <location filename="../ui/PlotsPanel.cpp" line="165"/>
        <source>%1: could not encode the plot</source>
        <translation>%1: Das Diagramm konnte nicht kodiert werden</translation>
    </message>
    <message>
        <location filename="../ui/PlotsPanel.cpp" line="183"/>
        <source>%1: use a .png, .pdf or .svg file name</source>
        <translation>%1: Dateiname auf .png, .pdf oder .svg verwenden</translation>
    </message>
    <message>
        <location filename="../ui/PlotsPanel.cpp" line="214"/>
        <source>share</source>
        <translation>Anteil</translation>
    </message>
    <message>
        <location filename="../ui/PlotsPanel.cpp" line="214"/>
        <source>share of “%1”</source>
        <translation>Anteil von „%1“</translation>
    </message>
    <message>
        <location filename="../ui/PlotsPanel.cpp" line="233"/>
        <source>heat of “%1”</source>
        <translation>Heat von „%1“</translation>
    </message>
</context>
<context>
    <name>daam::ui::RangeSlider</name>
    <message>
        <location filename="../ui/RangeSlider.cpp" line="21"/>
        <source>Drag either handle to choose the denoising steps the maps sum over. Arrow keys move the active handle; Shift+arrow moves the other one.</source>
        <translation>Ziehen Sie einen der Griffe, um die Entrauschungsschritte zu wählen, über die die Karten summiert werden. Pfeiltasten bewegen den aktiven Griff, Shift+Pfeil den anderen.</translation>
    </message>
</context>
<context>
    <name>daam::ui::TokenStrip</name>
    <message>
        <location filename="../ui/TokenStrip.cpp" line="26"/>
        <source>Negative:</source>
        <translation>Negativ:</translation>
    </message>
    <message>
        <location filename="../ui/TokenStrip.cpp" line="27"/>
        <source>The negative prompt&apos;s words: their maps are the unconditional half&apos;s attention</source>
        <translation>Die Wörter des negativen Prompts: Ihre Karten sind die Aufmerksamkeit der unbedingten Hälfte</translation>
    </message>
    <message>
        <location filename="../ui/TokenStrip.cpp" line="32"/>
        <source>Start/end</source>
        <translation>Start/Ende</translation>
    </message>
    <message>
        <location filename="../ui/TokenStrip.cpp" line="34"/>
        <source>Show the start and end tokens as chips too: they take most of the attention</source>
        <translation>Start- und End-Token ebenfalls als Chips zeigen: Sie erhalten den größten Teil der Aufmerksamkeit</translation>
    </message>
    <message>
        <location filename="../ui/TokenStrip.cpp" line="35"/>
        <source>Show start and end tokens</source>
        <translation>Start- und End-Token zeigen</translation>
    </message>
    <message>
        <location filename="../ui/TokenStrip.cpp" line="220"/>
        <source> (key %1)</source>
        <translation> (Taste %1)</translation>
    </message>
    <message>
        <location filename="../ui/TokenStrip.cpp" line="222"/>
        <source>A token of no word: the model reads it with every prompt
Click to select, Ctrl+click to add to the selection.</source>
        <translation>Ein Token, das zu keinem Wort gehört: Das Modell liest es bei jedem Prompt
Klicken zum Auswählen, Ctrl+Klick zum Hinzufügen zur Auswahl.</translation>
    </message>
    <message>
        <location filename="../ui/TokenStrip.cpp" line="226"/>
        <source>Tokens: %1%2
Click to select, Ctrl+click to add to the selection.</source>
        <translation>Tokens: %1%2
Klicken zum Auswählen, Ctrl+Klick zum Hinzufügen zur Auswahl.</translation>
    </message>
    <message>
        <location filename="../ui/TokenStrip.cpp" line="229"/>
        <source>Weight %1 (A1111&apos;s emphasis)</source>
        <translation>Gewicht %1 (A1111-Betonung)</translation>
    </message>
    <message>
        <location filename="../ui/TokenStrip.cpp" line="240"/>
        <source>Occurrence %1 of %2 of this word: its own map, or all of them as one with Display ▸ Merge a repeated word&apos;s occurrences</source>
        <translation>Vorkommen %1 von %2 dieses Wortes: seine eigene Karte, oder alle als eine mit Anzeige ▸ Wiederholte Vorkommen eines Wortes zusammenfassen</translation>
    </message>
    <message>
        <location filename="../ui/TokenStrip.cpp" line="244"/>
        <source>Word %1: %2</source>
        <translation>Wort %1: %2</translation>
    </message>
    <message>
        <location filename="../ui/TokenStrip.cpp" line="399"/>
        <source>%1: %2 → %3 (Link Grammar link %4)
Click to compare the two words&apos; masks.</source>
        <translation>%1: %2 → %3 (Link-Grammar-Verbindung %4)
Klicken, um die Masken der beiden Wörter zu vergleichen.</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <location filename="../app/studio/main.cpp" line="40"/>
        <source>See where each word of a prompt lands in a Stable Diffusion image.</source>
        <translation>Sehen Sie, wo jedes Wort eines Prompts in einem Stable-Diffusion-Bild landet.</translation>
    </message>
    <message>
        <location filename="../app/studio/main.cpp" line="44"/>
        <source>A session folder to open, or a PNG to take the generation settings of.</source>
        <translation>Ein zu öffnender Sitzungsordner oder ein PNG, dessen Erzeugungseinstellungen übernommen werden.</translation>
    </message>
    <message>
        <location filename="../app/studio/main.cpp" line="48"/>
        <source>Select word N (1-based); repeat to select several.</source>
        <translation>Wort N wählen (ab 1 gezählt); für mehrere wiederholen.</translation>
    </message>
    <message>
        <location filename="../app/studio/main.cpp" line="51"/>
        <source>Show masks: fill, outline or cutout.</source>
        <translation>Masken zeigen: fill, outline oder cutout.</translation>
    </message>
    <message>
        <location filename="../app/studio/main.cpp" line="54"/>
        <source>Save a screenshot of the window to FILE and exit.</source>
        <translation>Einen Screenshot des Fensters in FILE speichern und beenden.</translation>
    </message>
    <message>
        <location filename="../app/studio/main.cpp" line="57"/>
        <source>Generate the prompt at start-up (the built-in model does so unless a session is opened).</source>
        <translation>Den Prompt beim Start erzeugen (das eingebaute Modell tut dies, sofern keine Sitzung geöffnet wird).</translation>
    </message>
    <message>
        <location filename="../app/studio/main.cpp" line="60"/>
        <source>Compare the session with the one in DIR.</source>
        <translation>Die Sitzung mit der in DIR vergleichen.</translation>
    </message>
    <message>
        <location filename="../app/studio/main.cpp" line="63"/>
        <source>Open the Annotate panel on the selected word.</source>
        <translation>Das Annotieren-Fenster für das gewählte Wort öffnen.</translation>
    </message>
    <message>
        <location filename="../app/studio/main.cpp" line="82"/>
        <source>--select needs a word number from 1, not &apos;%1&apos;</source>
        <translation>--select braucht eine Wortnummer ab 1, nicht „%1“</translation>
    </message>
    <message>
        <location filename="../app/studio/main.cpp" line="98"/>
        <source>--mask must be fill, outline or cutout, not &apos;%1&apos;</source>
        <translation>--mask muss fill, outline oder cutout sein, nicht „%1“</translation>
    </message>
    <message>
        <location filename="../app/studio/main.cpp" line="119"/>
        <source>could not write %1</source>
        <translation>%1 konnte nicht geschrieben werden</translation>
    </message>
</context>
</TS>
