<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
<context>
    <name>sockpit::EventInspector</name>
    <message numerus="yes">
        <source>%Ln bytes</source>
        <translation>
            <numerusform>%Ln byte</numerusform>
            <numerusform>%Ln bytes</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>sockpit::EventLogModel</name>
    <message numerus="yes">
        <source>%n bytes</source>
        <translation>
            <numerusform>%n byte</numerusform>
            <numerusform>%n bytes</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>sockpit::LogView</name>
    <message numerus="yes">
        <source>%Ln shown</source>
        <translation>
            <numerusform>%Ln shown</numerusform>
            <numerusform>%Ln shown</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln total</source>
        <translation>
            <numerusform>%Ln total</numerusform>
            <numerusform>%Ln total</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln evicted</source>
        <translation>
            <numerusform>%Ln evicted</numerusform>
            <numerusform>%Ln evicted</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source> — paused, %Ln new waiting</source>
        <translation>
            <numerusform> — paused, %Ln new waiting</numerusform>
            <numerusform> — paused, %Ln new waiting</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>sockpit::MainWindow</name>
    <message numerus="yes">
        <source>Read %Ln events from %1</source>
        <translation>
            <numerusform>Read %Ln event from %1</numerusform>
            <numerusform>Read %Ln events from %1</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 of %Ln lines of %2 could not be read and were skipped; the other events are shown.</source>
        <translation>
            <numerusform>%1 of %Ln line of %2 could not be read and was skipped; the other events are shown.</numerusform>
            <numerusform>%1 of %Ln lines of %2 could not be read and were skipped; the other events are shown.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>sockpit::MessageComposer</name>
    <message numerus="yes">
        <source>%Ln characters of pasted text, with a line too long to show here, will be sent as they are; type to replace them.</source>
        <translation>
            <numerusform>%Ln character of pasted text, with a line too long to show here, will be sent as it is; type to replace it.</numerusform>
            <numerusform>%Ln characters of pasted text, with a line too long to show here, will be sent as they are; type to replace them.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 (%Ln bytes) will be sent; type to replace it.</source>
        <translation>
            <numerusform>%1 (%Ln byte) will be sent; type to replace it.</numerusform>
            <numerusform>%1 (%Ln bytes) will be sent; type to replace it.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln bytes</source>
        <translation>
            <numerusform>%Ln byte</numerusform>
            <numerusform>%Ln bytes</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>sockpit::PayloadView</name>
    <message numerus="yes">
        <source>Showing %1 of %Ln bytes</source>
        <translation>
            <numerusform>Showing %1 of %Ln byte</numerusform>
            <numerusform>Showing %1 of %Ln bytes</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln bytes</source>
        <translation>
            <numerusform>%Ln byte</numerusform>
            <numerusform>%Ln bytes</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Only the first %Ln bytes were recorded.</source>
        <translation>
            <numerusform>Only the first %Ln byte was recorded.</numerusform>
            <numerusform>Only the first %Ln bytes were recorded.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>object, %Ln keys</source>
        <translation>
            <numerusform>object, %Ln key</numerusform>
            <numerusform>object, %Ln keys</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>array, %Ln items</source>
        <translation>
            <numerusform>array, %Ln item</numerusform>
            <numerusform>array, %Ln items</numerusform>
        </translation>
    </message>
</context>
</TS>
