package io.callstream.servicekit.testapp;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;

import java.util.UUID;

@Entity
public class Widget extends PanacheEntityBase {
    public enum Color { RED, GREEN, BLUE }

    @Id
    public UUID id;
    public String name;
    @Enumerated(EnumType.STRING)
    public Color color;
    public int priority;
}
