#include "logfilterbar.h"

#include "events/eventfilterproxy.h"
#include "themecolors.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QSpinBox>
#include <QToolButton>

namespace sockpit {

LogFilterBar::LogFilterBar(EventFilterProxy *proxy, QWidget *parent)
    : QWidget(parent)
    , m_proxy(proxy)
    , m_kinds(new QToolButton(this))
    , m_source(new QComboBox(this))
    , m_connection(new QSpinBox(this))
    , m_direction(new QComboBox(this))
    , m_text(new QLineEdit(this))
    , m_regex(new QCheckBox(tr("Regex"), this))
{
    m_kinds->setObjectName(QStringLiteral("kindFilter"));
    m_kinds->setPopupMode(QToolButton::InstantPopup);
    m_kinds->setToolTip(tr("Show only the checked kinds of event"));
    auto *menu = new QMenu(m_kinds);
    for (int i = 0; i < EventKindCount; ++i) {
        QAction *action = menu->addAction(kindName(EventKind(i)));
        action->setCheckable(true);
        action->setData(i);
        connect(action, &QAction::toggled, this, &LogFilterBar::applyKinds);
    }
    menu->addSeparator();
    QAction *all = menu->addAction(tr("Show all kinds"));
    all->setObjectName(QStringLiteral("allKindsAction"));
    connect(all, &QAction::triggered, this, [this, menu] {
        const QList<QAction *> actions = menu->actions();
        for (QAction *action : actions) {
            if (action->isCheckable())
                action->setChecked(false);
        }
    });
    m_kinds->setMenu(menu);
    updateKindsButtonText();

    m_source->setObjectName(QStringLiteral("sourceFilter"));
    m_source->addItem(tr("Any source"));
    m_source->addItem(tr("Server"), int(EventSource::Server));
    m_source->addItem(tr("Client"), int(EventSource::Client));
    m_connection->setObjectName(QStringLiteral("connectionFilter"));
    m_connection->setRange(0, 999999999);
    m_connection->setSpecialValueText(tr("Any connection"));
    m_connection->setPrefix(tr("#"));
    m_connection->setToolTip(tr("Show one connection's events (0: all)"));
    m_direction->setObjectName(QStringLiteral("directionFilter"));
    m_direction->addItem(tr("Any direction"));
    m_direction->addItem(tr("In"), int(EventDirection::In));
    m_direction->addItem(tr("Out"), int(EventDirection::Out));
    m_direction->addItem(tr("None"), int(EventDirection::None));
    m_text->setObjectName(QStringLiteral("filterEdit"));
    m_text->setPlaceholderText(tr("Filter (Ctrl+F)"));
    m_text->setClearButtonEnabled(true);
    m_regex->setObjectName(QStringLiteral("regexCheck"));
    m_regex->setToolTip(tr("Treat the filter text as a regular expression"));

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_kinds);
    layout->addWidget(m_source);
    layout->addWidget(m_connection);
    layout->addWidget(m_direction);
    layout->addWidget(m_text, 1);
    layout->addWidget(m_regex);

    connect(m_source, &QComboBox::currentIndexChanged, this, [this] {
        const QVariant chosen = m_source->currentData();
        m_proxy->setSource(chosen.isValid() ? std::optional(EventSource(chosen.toInt()))
                                            : std::nullopt);
    });
    connect(m_direction, &QComboBox::currentIndexChanged, this, [this] {
        const QVariant chosen = m_direction->currentData();
        m_proxy->setDirection(chosen.isValid() ? std::optional(EventDirection(chosen.toInt()))
                                               : std::nullopt);
    });
    connect(m_connection, &QSpinBox::valueChanged, this, [this](int value) {
        m_proxy->setConnection(value > 0 ? std::optional<qint64>(value) : std::nullopt);
    });
    connect(m_text, &QLineEdit::textChanged, this, &LogFilterBar::applyText);
    connect(m_regex, &QCheckBox::toggled, this, &LogFilterBar::applyText);
}

void LogFilterBar::focusTextField()
{
    m_text->setFocus(Qt::ShortcutFocusReason);
    m_text->selectAll();
}

void LogFilterBar::reset()
{
    const QList<QAction *> actions = m_kinds->menu()->actions();
    for (QAction *action : actions) {
        if (action->isCheckable())
            action->setChecked(false);
    }
    m_source->setCurrentIndex(0);
    m_connection->setValue(0);
    m_direction->setCurrentIndex(0);
    m_text->clear();
}

void LogFilterBar::applyKinds()
{
    QSet<EventKind> kinds;
    const QList<QAction *> actions = m_kinds->menu()->actions();
    for (const QAction *action : actions) {
        if (action->isCheckable() && action->isChecked())
            kinds.insert(EventKind(action->data().toInt()));
    }
    m_proxy->setKinds(kinds);
    updateKindsButtonText();
}

void LogFilterBar::updateKindsButtonText()
{
    const qsizetype count = m_proxy->kinds().size();
    m_kinds->setText(count == 0 ? tr("All kinds") : tr("Kinds: %1").arg(count));
}

void LogFilterBar::applyText()
{
    const bool ok = m_proxy->setText(m_text->text(), m_regex->isChecked());
    m_patternError = !ok;
    QPalette palette = this->palette();
    if (!ok) {
        palette.setColor(
            QPalette::Base,
            theme::blend(palette.color(QPalette::Base), QColor(0xe0, 0x30, 0x30), 0.25));
        m_text->setToolTip(tr("Invalid regular expression: %1").arg(m_proxy->patternError()));
    } else {
        m_text->setToolTip(m_regex->isChecked()
                               ? tr("Regular expression matched against each part of an event (its "
                                    "message, summary, each header…): ^ and $ anchor at the "
                                    "start and end of that part")
                               : tr("Text matched against each event (case-insensitive)"));
    }
    m_text->setPalette(palette);
}

} // namespace sockpit
