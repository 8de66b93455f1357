#pragma once

#include <QDialog>

class QComboBox;

namespace sockpit {

// Application preferences. Today: the interface language, stored in QSettings under
// "language" ("" follows the system). A new language applies at the next start, and the
// dialog says so, because the window's widgets are built once with their texts.
//
//   PreferencesDialog dialog(this);
//   dialog.exec();            // OK stores the choice; Cancel changes nothing
class PreferencesDialog : public QDialog
{
    Q_OBJECT
public:
    explicit PreferencesDialog(QWidget *parent = nullptr);

    // The chosen language code ("" = follow the system, "en", "de", "fr", "zh_CN").
    QString selectedLanguage() const;
    void setSelectedLanguage(const QString &code);

    // What the settings hold, as read at start-up by the GUI entry point.
    static QString storedLanguage();
    static void storeLanguage(const QString &code);

    void accept() override;

private:
    QComboBox *m_language = nullptr;
};

} // namespace sockpit
