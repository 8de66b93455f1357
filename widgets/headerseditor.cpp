#include "headerseditor.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QSet>
#include <QStyle>
#include <QTableWidget>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace sockpit {

HeadersEditor::HeadersEditor(QWidget *parent)
    : QWidget(parent)
    , m_table(new QTableWidget(0, 2, this))
{
    m_table->setObjectName(QStringLiteral("headersTable"));
    m_table->setHorizontalHeaderLabels({tr("Name"), tr("Value")});
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->verticalHeader()->hide();
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);

    auto *add = new QToolButton(this);
    add->setObjectName(QStringLiteral("addHeaderButton"));
    add->setText(tr("Add"));
    add->setToolTip(tr("Add a request header"));
    auto *remove = new QToolButton(this);
    remove->setObjectName(QStringLiteral("removeHeaderButton"));
    remove->setText(tr("Remove"));
    remove->setToolTip(tr("Remove the selected headers"));
    connect(add, &QToolButton::clicked, this, &HeadersEditor::addRow);
    connect(remove, &QToolButton::clicked, this, &HeadersEditor::removeSelectedRows);

    auto *buttons = new QVBoxLayout;
    buttons->addWidget(add);
    buttons->addWidget(remove);
    buttons->addStretch();
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_table, 1);
    layout->addLayout(buttons);
}

HeaderList HeadersEditor::headers() const
{
    HeaderList list;
    for (int row = 0; row < m_table->rowCount(); ++row) {
        const QTableWidgetItem *name = m_table->item(row, 0);
        const QTableWidgetItem *value = m_table->item(row, 1);
        const QString nameText = name ? name->text().trimmed() : QString();
        if (nameText.isEmpty())
            continue;
        list.append({nameText.toUtf8(), value ? value->text().trimmed().toUtf8() : QByteArray()});
    }
    return list;
}

void HeadersEditor::setHeaders(const HeaderList &headers)
{
    m_table->setRowCount(0);
    for (const auto &[name, value] : headers) {
        const int row = m_table->rowCount();
        m_table->insertRow(row);
        m_table->setItem(row, 0, new QTableWidgetItem(QString::fromUtf8(name)));
        m_table->setItem(row, 1, new QTableWidgetItem(QString::fromUtf8(value)));
    }
}

void HeadersEditor::addRow()
{
    const int row = m_table->rowCount();
    m_table->insertRow(row);
    m_table->setItem(row, 0, new QTableWidgetItem);
    m_table->setItem(row, 1, new QTableWidgetItem);
    m_table->setCurrentCell(row, 0);
    m_table->editItem(m_table->item(row, 0));
}

void HeadersEditor::removeSelectedRows()
{
    QList<int> rows;
    const QList<QTableWidgetItem *> selected = m_table->selectedItems();
    for (const QTableWidgetItem *item : selected) {
        if (!rows.contains(item->row()))
            rows.append(item->row());
    }
    std::sort(rows.begin(), rows.end(), std::greater<>());
    for (const int row : rows)
        m_table->removeRow(row);
}

} // namespace sockpit
